"""The public profile pages, /u/<handle>/ (mounted by passport/urls_site.py)."""

from django.urls import path

from . import views

app_name = "passport_profile"

urlpatterns = [
    path("<slug:handle>/", views.profile_public, name="public"),
]
