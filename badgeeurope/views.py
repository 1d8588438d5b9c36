from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .selectors import platform_figures

# The campaign's published targets: first one million badges, then ten million.
CAMPAIGN_FIRST_GOAL = 1_000_000
CAMPAIGN_SECOND_GOAL = 10_000_000


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "badgeeurope/home.html",
        {
            "figures": platform_figures(),
            "first_goal": CAMPAIGN_FIRST_GOAL,
            "second_goal": CAMPAIGN_SECOND_GOAL,
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the web node can reach its database; load balancers poll this."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
