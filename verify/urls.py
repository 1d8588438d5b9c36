from django.urls import path

from . import views

app_name = "verify"

urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("verify/api", views.verify_api, name="api"),
]
