from django.urls import path

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
]
