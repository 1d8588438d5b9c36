"""Public claim pages and the staff claim settings. `/claim/<id>` is printed on posters and in
campaigns: keep it stable."""

from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("claim/<uuid:public_id>", views.claim, name="claim"),
    path("claim/<uuid:public_id>/sent", views.sent, name="sent"),
    path("claim/confirm/<str:token>", views.confirm, name="confirm"),
    path(
        "o/<slug:slug>/badges/<uuid:public_id>/claims/",
        views.claim_settings,
        name="settings",
    ),
]
