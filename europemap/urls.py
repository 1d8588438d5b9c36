from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "europemap"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/list/", views.list_page, name="list"),
    path("map/totals/", views.totals_page, name="totals"),
    path("map/widget/", views.widget, name="widget"),
    path("map/initiatives.geojson", views.initiatives_geojson, name="geojson"),
    path("map/initiatives.csv", views.initiatives_csv, name="csv"),
    path("map/totals.json", views.totals_json, name="totals_json"),
    # The campaign app owns /initiatives/…; its bare list is this app's list view.
    path(
        "initiatives/",
        RedirectView.as_view(pattern_name="europemap:list", query_string=True),
        name="initiatives",
    ),
]
