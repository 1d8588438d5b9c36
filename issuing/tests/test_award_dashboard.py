"""The awards dashboard (search, filters, pagination, CSV export) and the statistics page."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from issuing import charts, services
from issuing.models import Award, AwardSource
from issuing.selectors_award import award_statistics
from notifications.models import AwardNotification, NotificationStatus

from .conftest import BADGE_FIELDS, png_bytes


@pytest.fixture
def board(w, badge):
    """Two badge classes and awards in every status, from every source, over fourteen months."""
    awarder = w.members[Role.AWARDER]
    second = services.badge_class_create(
        actor=w.members[Role.DESIGNER],
        organisation=w.organisation,
        image=png_bytes(),
        **{**BADGE_FIELDS, "name": "Green Mentor"},
    )
    now = timezone.now()

    def give(badge_class, email, name="", days_ago=0, source=AwardSource.UI, **extra):
        return services.award_create(
            actor=awarder,
            badge_class=badge_class,
            recipient_email=email,
            recipient_name=name,
            issued_at=now - timedelta(days=days_ago),
            source=source,
            **extra,
        )

    awards = {
        "valid": give(badge, "liisa@example.fi", "Liisa Korhonen"),
        "expired": give(
            badge,
            "jonas@example.de",
            "Jonas Weber",
            days_ago=90,
            expires_at=now - timedelta(days=1),
        ),
        "revoked": give(second, "chiara@example.it", "Chiara Rossi", days_ago=40),
        "csv": give(second, "=cmd|calc@example.org", days_ago=200, source=AwardSource.CSV),
        "old": give(badge, "old@example.org", days_ago=430, source=AwardSource.API),
    }
    services.award_revoke(actor=awarder, award=awards["revoked"], reason="Wrong person")
    return {"second": second, "awards": awards}


def listing(client, w, **params):
    client.force_login(w.members[Role.AWARDER])
    return client.get(reverse("issuing_award:list", args=[w.organisation.slug]), params)


def shown(response):
    return {award.recipient_identity for award in response.context["page"].object_list}


def test_lists_every_award_with_its_status(client, w, board):
    response = listing(client, w)
    assert response.status_code == 200
    statuses = {a.recipient_identity: a.status for a in response.context["page"].object_list}
    assert statuses["liisa@example.fi"] == "valid"
    assert statuses["jonas@example.de"] == "expired"
    assert statuses["chiara@example.it"] == "revoked"
    assert "Liisa Korhonen" in response.text and "Green Mentor" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "korhonen"}, {"liisa@example.fi"}),
        ({"q": "EXAMPLE.DE"}, {"jonas@example.de"}),
        ({"status": "valid"}, {"liisa@example.fi", "old@example.org", "=cmd|calc@example.org"}),
        ({"status": "expired"}, {"jonas@example.de"}),
        ({"status": "revoked"}, {"chiara@example.it"}),
        ({"source": "csv"}, {"=cmd|calc@example.org"}),
        ({"source": "api"}, {"old@example.org"}),
    ],
)
def test_filters(client, w, board, params, expected):
    assert shown(listing(client, w, **params)) == expected


def test_badge_and_date_filters(client, w, board, badge):
    second = board["second"]
    assert shown(listing(client, w, badge=str(second.public_id))) == {
        "chiara@example.it",
        "=cmd|calc@example.org",
    }
    today = timezone.localdate()
    period = {
        "issued_from": (today - timedelta(days=100)).isoformat(),
        "issued_to": (today - timedelta(days=30)).isoformat(),
    }
    assert shown(listing(client, w, **period)) == {"jonas@example.de", "chiara@example.it"}
    assert shown(listing(client, w, badge=str(badge.public_id), **period)) == {"jonas@example.de"}


@pytest.mark.parametrize(
    "params",
    [
        {"issued_from": "2026-05-01", "issued_to": "2026-04-01"},
        {"issued_from": "yesterday"},
        {"status": "lost"},
        {"badge": "not-a-badge"},
    ],
)
def test_bad_filters_get_a_message_not_a_500(client, w, board, params):
    response = listing(client, w, **params)
    assert response.status_code == 200
    assert "The filters could not be applied" in response.text
    assert response.context["form"].errors


def test_pagination_and_no_query_per_row(client, w, badge, django_assert_max_num_queries):
    services.awards_create_bulk(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        requests=[
            services.AwardRequest(recipient_identity=f"p{n}@example.org", recipient_name=f"P {n}")
            for n in range(60)
        ],
    )
    client.force_login(w.members[Role.AWARDER])
    url = reverse("issuing_award:list", args=[w.organisation.slug])
    with django_assert_max_num_queries(12):
        first = client.get(url)
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.text
    with django_assert_max_num_queries(12):
        second = client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 10
    with django_assert_max_num_queries(12):
        export = client.get(url, {"format": "csv"})
        rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 61


def test_csv_export_is_streamed_filtered_and_formula_safe(client, w, board):
    response = listing(client, w, format="csv", source="csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="awards-hansa-academy-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Award id", "Recipient", "Identity type"]
    assert len(rows) == 2
    award = board["awards"]["csv"]
    assert rows[1][0] == str(award.public_id)
    assert rows[1][1] == "'=cmd|calc@example.org"
    assert rows[1][11] == "CSV upload"
    assert rows[1][12].endswith(f"/awards/{award.public_id}")


def test_csv_export_of_revoked_awards_names_the_reason(client, w, board):
    response = listing(client, w, format="csv", status="revoked")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[8] for row in rows[1:]] == ["Revoked"]
    assert rows[1][10] == "Wrong person"


def test_statistics_per_class_and_month(client, w, board, badge):
    stats = award_statistics(actor=w.members[Role.AWARDER], organisation=w.organisation)
    assert len(stats.months) == 12
    assert stats.months[-1] == timezone.localdate().replace(day=1)
    by_name = {row.name: row for row in stats.rows}
    # The 430-day-old award is outside the twelve months.
    assert by_name["Digital Facilitator"].total == 2
    assert by_name["Green Mentor"].total == 2
    assert by_name["Green Mentor"].revoked == 1
    assert stats.total == 4 and stats.revoked == 1
    assert stats.totals[-1] >= 1
    start = timezone.make_aware(datetime.combine(stats.months[0], time.min))
    assert sum(stats.totals) == Award.objects.filter(issued_at__gte=start).count()


def test_statistics_is_one_grouped_query(w, board, django_assert_num_queries):
    with django_assert_num_queries(3):  # membership check, grouped counts, class names
        award_statistics(actor=w.members[Role.AWARDER], organisation=w.organisation)


def test_statistics_page_has_a_table_and_an_svg_chart(client, w, board):
    client.force_login(w.members[Role.ADMIN])
    response = client.get(reverse("issuing_award:statistics", args=[w.organisation.slug]))
    assert response.status_code == 200
    text = response.text
    assert '<svg class="chart"' in text and 'role="img"' in text
    svg = text.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect ") == 12
    assert "<script" not in text.split("<main", 1)[1]
    assert "Green Mentor" in text and "All badges" in text


def test_statistics_chart_numbers_stay_dots_in_french(client, w, board):
    client.force_login(w.members[Role.ADMIN])
    response = client.get(
        reverse("issuing_award:statistics", args=[w.organisation.slug]),
        headers={"accept-language": "fr"},
    )
    svg = response.text.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    for attribute in ("x", "y", "width", "height"):
        assert f' {attribute}="' in svg
    assert not any("," in value for value in _attribute_values(svg))


def _attribute_values(svg):
    for part in svg.split('="')[1:]:
        value = part.split('"', 1)[0]
        if value and value[0].isdigit():
            yield value


def test_empty_statistics_page(client, w):
    client.force_login(w.members[Role.OWNER])
    response = client.get(reverse("issuing_award:statistics", args=[w.organisation.slug]))
    assert "No badge was issued in the last twelve months." in response.text


def test_bar_chart_geometry():
    chart = charts.bar_chart(["a", "b", "c"], [0, 5, 10], width=300, height=200)
    assert chart.bars[0].height == 0
    assert chart.bars[2].height == chart.plot_bottom - chart.plot_top
    assert chart.bars[1].y == pytest.approx((chart.plot_top + chart.plot_bottom) / 2, abs=0.1)
    assert [tick.value for tick in chart.ticks] == [0, 5, 10]
    assert charts.bar_chart(["a"], [0]).ticks[-1].value == 1
    assert [tick.value for tick in charts.bar_chart(["a"], [1234]).ticks][-1] == 1500


def test_dashboard_shows_what_became_of_each_email(client, w, board):
    awards = board["awards"]
    AwardNotification.objects.update_or_create(
        award=awards["valid"],
        defaults={"status": NotificationStatus.FAILED, "last_error": "550 No such user"},
    )
    AwardNotification.objects.update_or_create(
        award=awards["expired"], defaults={"status": NotificationStatus.SENT}
    )
    AwardNotification.objects.filter(award=awards["revoked"]).delete()
    response = listing(client, w)
    emails = {a.recipient_identity: a.email for a in response.context["page"].object_list}
    assert emails["liisa@example.fi"].status == "failed"
    assert emails["jonas@example.de"].status == "sent"
    assert emails["chiara@example.it"] is None
    assert '<span class="tag tag--warning">Failed</span>' in response.text
