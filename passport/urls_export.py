from django.urls import path

from . import views_export

app_name = "passport_export"

urlpatterns = [
    path("", views_export.export_page, name="page"),
    path("download/", views_export.export_download, name="download"),
    path("import/", views_export.import_archive, name="import"),
]
