from django.urls import path

from . import views

app_name = "campaign"

# Mounted at /initiatives/. The list itself ("") is the map app's page.
urlpatterns = [
    path("propose/", views.propose, name="propose"),
    path("mine/", views.mine, name="mine"),
    path("support/", views.support, name="support"),
    path("review/", views.review, name="review"),
    path("review/<slug:slug>/", views.review_decide, name="review_decide"),
    path("settings/", views.campaign_settings, name="settings"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/logo", views.logo, name="logo"),
    path("<slug:slug>/pledge/", views.pledge, name="pledge"),
    path(
        "<slug:slug>/pledges/<uuid:public_id>/withdraw/",
        views.pledge_withdraw,
        name="pledge_withdraw",
    ),
    path("<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/requests/<uuid:public_id>/", views.join_decide, name="join_decide"),
    path(
        "<slug:slug>/organisations/<slug:organisation_slug>/remove/",
        views.organisation_remove,
        name="organisation_remove",
    ),
    path("<slug:slug>/tokens/", views.tokens, name="tokens"),
    path("<slug:slug>/tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
]
