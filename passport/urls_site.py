"""Everything the passport mounts at the site's root, so badgeeurope/urls.py needs one line:
the passport itself under /passport/ and the public profiles under /u/."""

from django.urls import include, path

urlpatterns = [
    path("passport/", include("passport.urls")),
    path("u/", include("passport.urls_profile")),
]
