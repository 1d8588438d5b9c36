from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("o/<slug:slug>/audit/", views.organisation_audit_log, name="organisation_log"),
]
