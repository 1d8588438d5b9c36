from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("links/new/", views.link_add, name="link_add"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/delete/", views.delete, name="delete"),
    path("<uuid:public_id>/file/", views.own_file, name="file"),
    path("<uuid:public_id>/thumbnail/", views.own_thumbnail, name="thumbnail"),
    path("badges/<uuid:badge_id>/attach/", views.attach, name="attach"),
    path("badges/<uuid:badge_id>/<uuid:public_id>/detach/", views.detach, name="detach"),
    path("badges/<uuid:badge_id>/<uuid:public_id>/file/", views.badge_file, name="badge_file"),
    path(
        "badges/<uuid:badge_id>/<uuid:public_id>/thumbnail/",
        views.badge_thumbnail,
        name="badge_thumbnail",
    ),
    path("shared/<str:token>/<uuid:public_id>/file/", views.shared_file, name="shared_file"),
    path(
        "shared/<str:token>/<uuid:public_id>/thumbnail/",
        views.shared_thumbnail,
        name="shared_thumbnail",
    ),
]
