"""Badge class management pages of an organisation (staff only)."""

from django.urls import path

from . import views_design

app_name = "issuing_design"

urlpatterns = [
    path("o/<slug:slug>/badges/", views_design.badge_class_list, name="badge_class_list"),
    path("o/<slug:slug>/badges/new/", views_design.badge_class_create, name="badge_class_create"),
    path(
        "o/<slug:slug>/badges/designer-preview.svg",
        views_design.designer_preview,
        name="designer_preview",
    ),
    path(
        "o/<slug:slug>/badges/<uuid:public_id>/",
        views_design.badge_class_detail,
        name="badge_class_detail",
    ),
    path(
        "o/<slug:slug>/badges/<uuid:public_id>/edit/",
        views_design.badge_class_edit,
        name="badge_class_edit",
    ),
    path(
        "o/<slug:slug>/badges/<uuid:public_id>/archive/",
        views_design.badge_class_archive,
        name="badge_class_archive",
    ),
]
