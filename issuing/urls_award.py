"""Staff pages for awarding, revoking, the awards dashboard and statistics (under /o/<slug>/)."""

from django.urls import path

from . import views_award

app_name = "issuing_award"

urlpatterns = [
    path("o/<slug:slug>/badges/<uuid:public_id>/award/", views_award.award_new, name="new"),
    path("o/<slug:slug>/awards/", views_award.awards_list, name="list"),
    path("o/<slug:slug>/awards/<uuid:public_id>/", views_award.award_detail, name="detail"),
    path("o/<slug:slug>/statistics/", views_award.statistics, name="statistics"),
]
