"""Verifying passport badges again: on demand from the badge page, and periodically in
batches, so a badge revoked or expired since it was imported or awarded is flagged."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from issuing import services as issuing_services
from openbadges.tests.test_interop_node import requires_node
from passport import importing, tasks_reverify
from passport.models import BadgeState, PassportBadge, VerificationStatus
from verify.tests.thirdparty import RECIPIENT, local_network_fixture, thirdparty_fixture  # noqa: F401

from .conftest import award_to, make_user


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.VERIFY_THROTTLE = (10_000, 600)


def accepted_award(w, **fields):
    award = award_to(w, "kadri.tamm@example.org", **fields)
    badge, _ = PassportBadge.objects.get_or_create(
        owner=w.learner,
        award=award,
        defaults={"source": "awarded", "name": "Digital Facilitator"},
    )
    PassportBadge.objects.filter(pk=badge.pk).update(state=BadgeState.ACCEPTED)
    badge.refresh_from_db()
    return award, badge


def test_award_revoked_after_it_reached_the_passport_is_flagged(client, w):
    award, badge = accepted_award(w)
    assert importing.reverify(badge).verification_status == VerificationStatus.VALID
    issuing_services.award_revoke(actor=w.awarder, award=award, reason="Issued by mistake")
    client.force_login(w.learner)
    response = client.post(reverse("passport:reverify", args=[badge.public_id]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("passport:detail", args=[badge.public_id])
    assert "The badge was verified again: Revoked." in response.content.decode()
    badge.refresh_from_db()
    assert badge.verification_status == VerificationStatus.REVOKED
    failed = [c for c in badge.verification_report["checks"] if c["outcome"] == "failed"]
    assert failed[0]["code"] == "status.revoked"


def test_expired_since_is_flagged(w):
    _award, badge = accepted_award(w, expires_at=timezone.now() + timedelta(days=10))
    assert importing.reverify(badge).verification_status == VerificationStatus.VALID
    later = timezone.now() + timedelta(days=20)
    assert importing.reverify(badge, now=later).verification_status == VerificationStatus.EXPIRED


def test_only_the_owner_may_ask_and_only_by_post(client, w):
    _award, badge = accepted_award(w)
    url = reverse("passport:reverify", args=[badge.public_id])
    assert client.post(url).status_code == 302  # anonymous: to the sign-in page
    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(w.other)
    assert client.post(url).status_code == 404
    client.force_login(w.learner)
    assert client.get(url).status_code == 405
    page = client.get(reverse("passport:detail", args=[badge.public_id])).content.decode()
    assert url in page and "Verify again now" in page


def test_due_badges_are_the_stale_ones_not_the_declined(w):
    _a, fresh = accepted_award(w)
    _b, stale = accepted_award(w, badge_class=w.second_class)
    importing.reverify(fresh)
    importing.reverify(stale)
    PassportBadge.objects.filter(pk=stale.pk).update(
        verified_at=timezone.now() - timedelta(days=30)
    )
    assert tasks_reverify.due_badge_ids(older_than_days=7) == [stale.pk]
    PassportBadge.objects.filter(pk=stale.pk).update(state=BadgeState.DECLINED)
    assert tasks_reverify.due_badge_ids(older_than_days=7) == []
    assert set(tasks_reverify.due_badge_ids(older_than_days=0)) == {fresh.pk}


def test_command_enqueues_batches_that_flag_revoked_badges(w):
    awards = [accepted_award(w)[0], accepted_award(w, badge_class=w.second_class)[0]]
    PassportBadge.objects.update(verified_at=timezone.now() - timedelta(days=30))
    issuing_services.award_revoke(actor=w.awarder, award=awards[0], reason="Mistake")
    out = StringIO()
    # Tests run tasks at once (ImmediateBackend): enqueuing verifies.
    call_command("passport_reverify", "--days", "7", "--batch-size", "1", stdout=out)
    assert "Enqueued 2 badges" in out.getvalue()
    statuses = dict(PassportBadge.objects.values_list("award_id", "verification_status"))
    assert statuses == {awards[0].pk: "revoked", awards[1].pk: "valid"}
    out = StringIO()
    call_command("passport_reverify", "--days", "7", "--now", stdout=out)
    assert "Verified 0 badges again." in out.getvalue()
    call_command("passport_reverify", "--days", "0", "--now", stdout=out)
    assert "revoked: 1, valid: 1" in out.getvalue()


@requires_node
def test_third_party_badge_revoked_after_import_is_flagged(client, db, thirdparty, local_network):
    user = make_user(RECIPIENT)
    client.force_login(user)
    for name in ("ob2_hosted_png", "ob2_signed_valid"):
        first = client.post("/passport/import/", {"text": ""} | _payload(thirdparty, name))
        token = first.context["confirm"].initial["token"]
        client.post("/passport/import/confirm", {"token": token})
    badges = list(PassportBadge.objects.filter(owner=user))
    assert [b.verification_status for b in badges] == ["valid", "valid"]
    revocations = thirdparty.documents["/ob2/revocations"]
    original = revocations["body"]
    revoked_list = json.loads(original)
    for badge in badges:
        revoked_list["revokedAssertions"].append({"id": badge.credential["id"]})
    revocations["body"] = json.dumps(revoked_list)
    try:
        counts = tasks_reverify.reverify_badges([b.pk for b in badges])
    finally:
        revocations["body"] = original
    assert counts == {"revoked": 2}
    assert set(PassportBadge.objects.values_list("verification_status", flat=True)) == {"revoked"}


def _payload(thirdparty, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = thirdparty.data(name)
    if isinstance(data, bytes):
        return {"file": SimpleUploadedFile("badge.png", data)}
    return {"text": data}


def test_command_keeps_running_with_every_and_survives_a_failed_round(w, monkeypatch):
    """`./dev start` runs `passport_reverify --every 3600`: a round that fails (database
    restarting) is reported and the loop goes on; Ctrl-C ends it quietly."""
    from unittest import mock

    rounds = []

    def due(**kwargs):
        rounds.append(kwargs)
        if len(rounds) == 1:
            raise RuntimeError("database restarting")
        return 0

    waits = iter([False, KeyboardInterrupt()])

    def wait(seconds):
        assert seconds == 5
        step = next(waits)
        if isinstance(step, BaseException):
            raise step
        return step

    monkeypatch.setattr(tasks_reverify, "passport_reverify_due", due)
    out, err = StringIO(), StringIO()
    with mock.patch("threading.Event.wait", side_effect=wait):
        call_command("passport_reverify", "--every", "5", stdout=out, stderr=err)
    assert len(rounds) == 2
    assert "database restarting" in err.getvalue()
    assert "Enqueued 0 badges" in out.getvalue()
