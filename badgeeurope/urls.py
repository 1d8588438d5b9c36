from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views

# No language prefixes: public URLs stay stable forever; the language comes from the
# visitor's choice (cookie, set by the language switcher) or their browser.
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("", include("issuing.urls")),
    path("", include("issuing.urls_award")),
    path("", include("issuing.urls_design")),
    path("", include("bulk.urls")),
    path("", include("verify.urls")),
    path("", include("passport.urls_site")),
    path("", include("europemap.urls")),
    path("", include("claims.urls")),
    path("passport/evidence/", include("evidence.urls")),
    path("passport/export/", include("passport.urls_export")),
    path("initiatives/", include("campaign.urls")),
    path("api/v1/", include("campaign.urls_api")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
