"""Pages of CSV bulk awards, under the organisation's staff pages."""

from django.urls import path

from . import views

app_name = "bulk"

urlpatterns = [
    path("o/<slug:slug>/badges/<uuid:public_id>/bulk/", views.upload, name="upload"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/", views.job_detail, name="job"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/confirm/", views.job_confirm, name="confirm"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/resume/", views.job_resume, name="resume"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/progress/", views.job_progress, name="progress"),
    path("o/<slug:slug>/bulk/<uuid:job_id>/report.csv", views.job_report, name="report"),
]
