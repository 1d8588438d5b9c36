"""Claimable badges end to end: staff settings and their permissions, asking, the emailed
one-time link, accepting with a POST, double submission, replayed and expired links, closed
periods, flood limits, the demo's campaign badge."""

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from claims import links, services
from claims.demo import BADGE_NAME, load_claims_demo
from claims.models import ClaimableBadge, ClaimRequest
from issuing.models import Award, AwardSource
from issuing.tests.conftest import make_user

AWARDERS = {Role.OWNER, Role.ADMIN, Role.AWARDER}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def claim_url(claimable):
    return reverse("claims:claim", args=[claimable.public_id])


def ask(client, claimable, email="ana.silva@example.pt", name="Ana Silva", **headers):
    # The email is enqueued when the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(claim_url(claimable), {"name": name, "email": email}, **headers)


def link_from(message) -> str:
    found = re.search(r"https?://\S+/claim/confirm/\S+", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


# -- staff settings -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider", *Role.values])
def test_settings_page_permissions(client, w, badge, who):
    if who == "outsider":
        client.force_login(w.outsider)
    elif who != "anonymous":
        client.force_login(w.members[who])
    url = reverse("claims:settings", args=[w.organisation.slug, badge.public_id])
    response = client.post(url, {"enabled": "on", "opens_on": "", "closes_on": ""})
    expected = {"anonymous": 302, "outsider": 404}.get(who, 302 if who in AWARDERS else 403)
    assert response.status_code == expected
    assert ClaimableBadge.objects.exists() == (who in AWARDERS)
    if who in AWARDERS:
        page = client.get(url)
        assert f"/claim/{ClaimableBadge.objects.get().public_id}" in page.text


def test_settings_refuse_a_period_that_ends_before_it_starts(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    url = reverse("claims:settings", args=[w.organisation.slug, badge.public_id])
    response = client.post(
        url, {"enabled": "on", "opens_on": "2026-12-10", "closes_on": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.text
    assert not ClaimableBadge.objects.exists()


# -- the claim ------------------------------------------------------------------------------------


def test_claim_by_email_link_and_one_click(client, w, claimable, mailoutbox):
    page = client.get(claim_url(claimable))
    assert page.status_code == 200 and "Send me the link" in page.text
    response = ask(client, claimable)
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:sent", args=[claimable.public_id])
    assert [message.to for message in mailoutbox] == [["ana.silva@example.pt"]]
    assert "Digital Facilitator" in mailoutbox[0].subject
    path = link_from(mailoutbox[0])
    # Opening the link awards nothing (mail scanners open links); the page offers a button.
    opened = client.get(path)
    assert opened.status_code == 200 and "Accept the badge" in opened.text
    assert not Award.objects.exists()
    accepted = client.post(path)
    assert accepted.status_code == 302
    award = Award.objects.get()
    assert award.source == AwardSource.CLAIM
    assert award.recipient_identity == "ana.silva@example.pt"
    assert award.recipient_name == "Ana Silva"
    assert award.idempotency_key == services.idempotency_key(claimable, "ana.silva@example.pt")
    shown = client.get(accepted["Location"])
    assert f"/awards/{award.public_id}" in shown.text
    request = ClaimRequest.objects.get()
    assert request.award == award and request.confirmed_at is not None


def test_double_submit_and_replayed_link_award_once(client, w, claimable, mailoutbox):
    ask(client, claimable)
    path = link_from(mailoutbox[0])
    first = client.post(path)
    second = client.post(path)
    assert first.status_code == second.status_code == 302
    assert Award.objects.count() == 1
    # Days later, the same link only shows the badge it gave.
    replay = client.get(path)
    assert "The badge is yours" in replay.text
    assert client.post(path).status_code == 302
    assert Award.objects.count() == 1


def test_a_second_request_from_the_same_address_gives_the_same_award(
    client, w, claimable, mailoutbox
):
    ask(client, claimable)
    ask(client, claimable, email="Ana.Silva@Example.pt")
    first, second = (link_from(message) for message in mailoutbox)
    client.post(first)
    client.post(second)
    assert Award.objects.count() == 1
    assert ClaimRequest.objects.filter(award__isnull=False).count() == 2


def test_expired_link_is_refused(client, w, claimable, mailoutbox, monkeypatch):
    ask(client, claimable)
    path = link_from(mailoutbox[0])
    later = time.time() + links.max_age() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert client.post(path).status_code == 410
    assert not Award.objects.exists()


def test_tampered_link_is_refused(client, w, claimable, mailoutbox):
    ask(client, claimable)
    path = link_from(mailoutbox[0])
    response = client.post(path[:-3] + "xyz")
    assert response.status_code == 400
    assert "This link is not valid" in response.text
    assert not Award.objects.exists()


def test_closed_badge_cannot_be_claimed(client, w, claimable, mailoutbox):
    ask(client, claimable)
    path = link_from(mailoutbox[0])
    services.claimable_configure(
        actor=w.members[Role.AWARDER],
        badge_class=claimable.badge_class,
        enabled=True,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(days=1),
    )
    page = client.get(claim_url(claimable))
    assert "This badge cannot be claimed at the moment." in page.text
    assert "Send me the link" not in page.text
    assert ask(client, claimable, email="late@example.org").status_code == 200
    assert len(mailoutbox) == 1
    response = client.post(path)
    assert "This badge cannot be claimed at the moment." in response.text
    assert not Award.objects.exists()


def test_someone_who_already_holds_the_badge_is_told_so(client, w, claimable, award, mailoutbox):
    ask(client, claimable, email="kadri.tamm@example.org")
    response = client.post(link_from(mailoutbox[0]))
    assert response.status_code == 400
    assert "already has this badge" in response.text
    assert Award.objects.count() == 1


def test_bad_input_gets_form_errors(client, w, claimable, mailoutbox):
    response = ask(client, claimable, email="not-an-address", name="")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert "This field is required." in response.text
    assert mailoutbox == []


@override_settings(CLAIM_LIMIT_PER_ADDRESS=2, CLAIM_LIMIT_PER_IP=100)
def test_flood_of_one_address_is_throttled(client, w, claimable, mailoutbox):
    assert ask(client, claimable).status_code == 302
    assert ask(client, claimable).status_code == 302
    response = ask(client, claimable)
    assert response.status_code == 429
    assert "We have already sent several links to this address." in response.text
    assert len(mailoutbox) == 2
    assert ask(client, claimable, email="other@example.org").status_code == 302


@override_settings(CLAIM_LIMIT_PER_IP=3, CLAIM_LIMIT_PER_ADDRESS=100)
def test_flood_from_one_network_is_throttled(client, w, claimable, mailoutbox):
    for number in range(3):
        assert ask(client, claimable, email=f"p{number}@example.org").status_code == 302
    response = ask(client, claimable, email="p9@example.org")
    assert response.status_code == 429
    assert "Too many requests came from your network." in response.text
    other_network = ask(client, claimable, email="p9@example.org", REMOTE_ADDR="10.1.2.3")
    assert other_network.status_code == 302


def test_claims_stop_when_the_configuring_member_loses_the_right(client, w, claimable, mailoutbox):
    ask(client, claimable)
    Membership.objects.filter(user=w.members[Role.AWARDER]).update(role=Role.REVIEWER)
    response = client.post(link_from(mailoutbox[0]))
    assert response.status_code == 400
    assert "This badge cannot be claimed at the moment." in response.text
    assert not Award.objects.exists()


def test_demo_badge_is_claimable_and_idempotent(db):
    make_user("kadri.tamm@example.org", "Kadri Tamm")
    first = load_claims_demo()
    assert BADGE_NAME in first[0]
    claimable = ClaimableBadge.objects.get()
    assert claimable.is_open()
    assert claimable.badge_class.organisation.slug == "badge-europe"
    load_claims_demo()
    assert ClaimableBadge.objects.count() == 1


def test_badge_class_page_links_awarders_to_the_claim_settings(client, w, badge):
    url = reverse("claims:settings", args=[w.organisation.slug, badge.public_id])
    detail = reverse(
        "issuing_design:badge_class_detail", args=[w.organisation.slug, badge.public_id]
    )
    client.force_login(w.members[Role.AWARDER])
    assert url in client.get(detail).text
    client.force_login(w.members[Role.DESIGNER])
    assert url not in client.get(detail).text
