"""Concurrent awarding on PostgreSQL: workers never share a status list index and the same
idempotency key yields one award. (SQLite serialises writers anyway: its write transactions are
IMMEDIATE.)"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from accounts.models import Role
from issuing import services
from issuing.models import Award
from issuing.services import AwardRequest

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only contended on PostgreSQL"
)


def _in_thread(function):
    def run(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


@pytest.mark.django_db(transaction=True)
def test_parallel_batches_get_distinct_status_indexes(w, badge):
    awarder = w.members[Role.AWARDER]

    @_in_thread
    def batch(number):
        requests = [AwardRequest(f"w{number}-{i}@example.org") for i in range(40)]
        try:
            result = services.awards_create_bulk(
                actor=awarder, badge_class=badge, requests=requests
            )
        except Exception as exc:  # reported with the other batches: which one failed, and why
            return f"{type(exc).__name__}: {exc}"
        return (len(result.created), dict(result.errors))

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(batch, range(8)))
    # Each batch's outcome in full, so that a failure says which batch and why.
    assert outcomes == [(40, {})] * 8, outcomes
    indexes = list(Award.objects.values_list("status_list_id", "status_index"))
    assert len(indexes) == len(set(indexes)) == 320


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_with_one_idempotency_key_make_one_award(w, badge):
    awarder = w.members[Role.AWARDER]

    @_in_thread
    def award(_):
        return services.award_create(
            actor=awarder,
            badge_class=badge,
            recipient_email="same@example.org",
            idempotency_key="api-request-7",
        ).pk

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(award, range(8)))
    assert len(ids) == 1
    assert Award.objects.filter(idempotency_key="api-request-7").count() == 1
