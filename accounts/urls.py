from django.urls import include, path

from . import views

organisation_patterns = [
    path("organisations/", views.organisation_list, name="list"),
    path("organisations/new/", views.organisation_create, name="create"),
    path("o/<slug:slug>/", views.organisation_detail, name="detail"),
    path("o/<slug:slug>/edit/", views.organisation_edit, name="edit"),
    path("o/<slug:slug>/delete/", views.organisation_delete, name="delete"),
    path("o/<slug:slug>/leave/", views.organisation_leave, name="leave"),
    path("o/<slug:slug>/members/", views.organisation_members, name="members"),
    path(
        "o/<slug:slug>/members/<uuid:user_id>/role/",
        views.membership_change_role,
        name="member_role",
    ),
    path(
        "o/<slug:slug>/members/<uuid:user_id>/remove/",
        views.membership_remove,
        name="member_remove",
    ),
    path(
        "o/<slug:slug>/invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "o/<slug:slug>/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation"),
    path(
        "invitations/<str:token>/accept/",
        views.invitation_answer,
        {"answer": "accept"},
        name="invitation_accept",
    ),
    path(
        "invitations/<str:token>/decline/",
        views.invitation_answer,
        {"answer": "decline"},
        name="invitation_decline",
    ),
    path(
        "organisations/invitations/<uuid:invitation_id>/accept/",
        views.my_invitation_answer,
        {"answer": "accept"},
        name="my_invitation_accept",
    ),
    path(
        "organisations/invitations/<uuid:invitation_id>/decline/",
        views.my_invitation_answer,
        {"answer": "decline"},
        name="my_invitation_decline",
    ),
]

urlpatterns = [
    path("", include((organisation_patterns, "organisations"))),
    path("account/", views.account_settings, name="account_settings"),
]
