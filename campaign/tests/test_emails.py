"""Emails of the campaign: review decisions to the proposer, join requests to the proposer,
join decisions to the requester; in the recipient's language, never to the one who acted."""

import pytest
from django.urls import reverse

from campaign import services
from campaign.models import Initiative, InitiativeKind, InitiativeStatus

from .conftest import SITE

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(w):
    return Initiative.objects.create(
        slug="porto-skills",
        name="Porto Skills",
        description="Skills of Porto.",
        kind=InitiativeKind.CITY_REGION,
        country="PT",
        status=InitiativeStatus.PROPOSED,
        proposed_by=w.proposer,
    )


def test_approval_is_emailed_to_the_proposer(
    w, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.initiative_review(actor=w.staff, initiative=proposal, approve=True)
    [message] = mailoutbox
    assert message.to == [w.proposer.email]
    assert message.subject == "Your initiative “Porto Skills” is approved"
    assert f"{SITE}/initiatives/porto-skills/" in message.body
    assert "Hello Pia Proposer" in message.body


def test_rejection_is_emailed_with_the_reason_in_the_proposers_language(
    w, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    w.proposer.language = "fr"
    w.proposer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.initiative_review(
            actor=w.staff, initiative=proposal, approve=False, reason="Duplicate of Porto Lab."
        )
    [message] = mailoutbox
    assert message.to == [w.proposer.email]
    assert "Porto Skills" in message.subject and "approuvée" in message.subject
    assert "Duplicate of Porto Lab." in message.body
    assert "Bonjour" in message.body
    assert f"{SITE}{reverse('campaign:mine')}" in message.body


def test_a_join_request_is_emailed_to_the_proposer_and_the_decision_to_the_requester(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    w.other_admin.language = "de"
    w.other_admin.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(
            actor=w.other_admin,
            initiative=w.initiative,
            organisation=w.other,
            message="We award 300 badges a year.",
        )
    [asked] = mailoutbox
    assert asked.to == [w.proposer.email]
    assert asked.subject == "Porto Lab asks to join “Hansa Badges”"
    assert "We award 300 badges a year." in asked.body
    assert "Otto Other" in asked.body
    assert f"{SITE}/initiatives/hansa-badges/" in asked.body
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            actor=w.proposer, join_request=join_request, approve=False, reason="Only Estonia."
        )
    decided = mailoutbox[1]
    assert decided.to == [w.other_admin.email]
    assert "Porto Lab" in decided.subject and "abgelehnt" in decided.subject
    assert "Only Estonia." in decided.body and "Guten Tag" in decided.body
    assert f"{SITE}{reverse('campaign:support')}" in decided.body


def test_an_accepted_request_is_emailed_and_nobody_is_told_what_they_did_themselves(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    # The proposer asks for an organisation they administer and then decides it themselves.
    w.initiative.proposed_by = w.other_admin
    w.initiative.save(update_fields=["proposed_by"])
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(
            actor=w.other_admin, initiative=w.initiative, organisation=w.other
        )
        services.join_request_decide(actor=w.other_admin, join_request=join_request, approve=True)
    assert mailoutbox == []
    join_request.refresh_from_db()
    join_request.status = "pending"
    join_request.save()
    w.initiative.organisations.remove(w.other)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(actor=w.staff, join_request=join_request, approve=True)
    [message] = mailoutbox
    assert message.to == [w.other_admin.email]
    assert message.subject == "Porto Lab now belongs to “Hansa Badges”"


def test_no_email_is_sent_when_the_service_refuses(
    w, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.PermissionDenied):
        services.initiative_review(actor=w.proposer, initiative=proposal, approve=True)
    assert mailoutbox == []
