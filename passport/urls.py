from django.urls import include, path

from . import views

app_name = "passport"

urlpatterns = [
    path("", views.badge_list, name="list"),
    path("badges/<uuid:public_id>/", views.badge_detail, name="detail"),
    path("badges/<uuid:public_id>/state", views.badge_state, name="state"),
    path("badges/<uuid:public_id>/visibility", views.badge_visibility, name="visibility"),
    path("badges/<uuid:public_id>/share", views.badge_share, name="share"),
    path("badges/<uuid:public_id>/evidence", views.badge_evidence, name="evidence"),
    path("badges/<uuid:public_id>/tags", views.badge_tags, name="tags"),
    path("badges/<uuid:public_id>/remove", views.badge_remove, name="remove"),
    path("badges/<uuid:public_id>/original", views.original, name="original"),
    path("badges/<uuid:public_id>/image", views.image, name="image"),
    path("share/<str:token>/", views.shared, name="shared"),
    path("share/<str:token>/original", views.share_original, name="share_original"),
    path("share/<str:token>/image", views.share_image, name="share_image"),
    path("profile/", views.profile_settings, name="profile"),
    path("import/", include("passport.urls_import")),
]
