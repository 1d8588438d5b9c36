"""Import into the passport and verify again; included by passport/urls.py under import/."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.import_start, name="import"),
    path("confirm", views_import.import_confirm, name="import_confirm"),
    path("reverify/<uuid:public_id>", views_import.reverify, name="reverify"),
]
