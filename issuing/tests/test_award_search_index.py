"""The awards dashboard search can use the trigram indexes on PostgreSQL (migration 0004), and
the CSV export streams."""

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.models import Role
from issuing import services
from issuing.models import Award
from issuing.selectors_award import awards_dashboard

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A tiny test table would be read sequentially anyway; forbid that to see whether an
        # index can answer the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("ANALYZE issuing_award")
    return queryset.explain()


@postgresql
def test_search_by_address_and_name_uses_the_trigram_indexes(w, badge):
    for number in range(30):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email=f"learner{number}@example.org",
            recipient_name=f"Learner {number}",
        )
    search = Award.objects.filter(recipient_identity__icontains="ner1")
    assert "award_identity_trgm" in _plan(search)
    by_name = Award.objects.filter(recipient_name__icontains="ner 2")
    assert "award_name_trgm" in _plan(by_name)
    dashboard = awards_dashboard(
        actor=w.members[Role.AWARDER], organisation=w.organisation, search="learner1"
    )
    assert dashboard.count() == 11
    # With many awards in the organisation (copies of one row, made in SQL for speed), the
    # dashboard's own query (organisation, address OR name, newest first) searches through both
    # trigram indexes instead of reading the organisation's awards one by one.
    _copy_awards(Award.objects.first(), 20_000)
    plan = _plan(dashboard)
    assert "award_identity_trgm" in plan and "award_name_trgm" in plan, plan
    assert dashboard.count() == 11


def _copy_awards(template: Award, count: int) -> None:
    columns = [
        field.column
        for field in Award._meta.concrete_fields
        if field.column not in {"id", "public_id", "recipient_identity", "recipient_name",
                                "status_index", "idempotency_key"}
    ]  # fmt: skip
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO issuing_award (public_id, recipient_identity, recipient_name, "  # noqa: S608
            f"status_index, {listed}) "
            f"SELECT gen_random_uuid(), 'person' || g || '@example.net', 'Person ' || g, "
            f"100000 + g, {listed} FROM issuing_award, generate_series(1, %s) AS g "
            f"WHERE id = %s",
            [count, template.pk],
        )


def test_csv_export_streams(client, w, award):
    client.force_login(w.members[Role.AWARDER])
    response = client.get(reverse("issuing_award:list", args=[w.organisation.slug]) + "?format=csv")
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    assert "kadri.tamm@example.org" in body
