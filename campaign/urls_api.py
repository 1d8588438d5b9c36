from django.urls import path

from . import api

app_name = "campaign_api"

# Mounted at /api/v1/.
urlpatterns = [
    path("initiatives/<uuid:public_id>/reports", api.reports, name="reports"),
]
