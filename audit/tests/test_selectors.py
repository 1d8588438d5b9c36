import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.selectors import audit_action_names_for_organisation, audit_events_for_organisation

pytestmark = pytest.mark.django_db


def ids(events):
    return {event.pk for event in events}


def test_owner_sees_only_own_organisation_events(organisation, owner, recorded):
    events = audit_events_for_organisation(user=owner, organisation=organisation)
    assert ids(events) == {recorded["added"].pk, recorded["changed"].pk, recorded["custom"].pk}


@pytest.mark.parametrize("role", [Role.DESIGNER, Role.AWARDER, Role.REVIEWER])
def test_roles_without_view_audit_are_refused(organisation, members, role):
    with pytest.raises(PermissionDenied):
        audit_events_for_organisation(user=members[role], organisation=organisation)
    with pytest.raises(PermissionDenied):
        audit_action_names_for_organisation(user=members[role], organisation=organisation)


def test_outsider_of_one_organisation_cannot_read_it_even_as_admin_elsewhere(
    other_organisation, owner
):
    with pytest.raises(PermissionDenied):
        audit_events_for_organisation(user=owner, organisation=other_organisation)


def test_action_prefix_filter(organisation, members, recorded):
    admin = members[Role.ADMIN]
    assert ids(
        audit_events_for_organisation(user=admin, organisation=organisation, action="organisation.")
    ) == {recorded["changed"].pk}
    assert ids(
        audit_events_for_organisation(user=admin, organisation=organisation, action="members")
    ) == {recorded["added"].pk}
    assert ids(
        audit_events_for_organisation(user=admin, organisation=organisation, action=" ")
    ) == {recorded["added"].pk, recorded["changed"].pk, recorded["custom"].pk}


def test_actor_filter_is_case_insensitive(organisation, owner, recorded):
    events = audit_events_for_organisation(
        user=owner, organisation=organisation, actor="OWNER@example.org"
    )
    assert ids(events) == {recorded["added"].pk, recorded["changed"].pk}


def test_date_range_is_inclusive_of_whole_days(organisation, owner, recorded):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    last_week = timezone.make_aware(datetime.datetime.combine(today - 7 * day, datetime.time(23)))
    AuditEvent.objects.filter(pk=recorded["changed"].pk).update(created_at=last_week)

    def between(since, until):
        return ids(
            audit_events_for_organisation(
                user=owner, organisation=organisation, since=since, until=until
            )
        )

    assert between(today - 7 * day, today - 7 * day) == {recorded["changed"].pk}
    assert between(today - 6 * day, None) == {recorded["added"].pk, recorded["custom"].pk}
    assert between(None, today - day) == {recorded["changed"].pk}


def test_action_names_are_distinct_and_scoped(organisation, owner, recorded):
    assert audit_action_names_for_organisation(user=owner, organisation=organisation) == [
        "campaign.pledge_made",
        "membership.created",
        "organisation.updated",
    ]
