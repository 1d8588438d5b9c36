"""Importing badges from any issuer: third-party badges made by independent libraries, our own
badges, recipient matching against verified addresses, duplicates, and the two-step flow."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from issuing import services as issuing_services
from issuing.tests.conftest import png_bytes
from openbadges.baking import bake_png
from openbadges.tests.test_interop_node import requires_node
from passport.models import BadgeSource, BadgeState, PassportBadge
from verify.tests.thirdparty import RECIPIENT, local_network_fixture, thirdparty_fixture  # noqa: F401

from .conftest import award_to, make_user

IMPORT = "/passport/import/"
CONFIRM = "/passport/import/confirm"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.VERIFY_THROTTLE = (10_000, 600)


def submit(client, data):
    """Step one with a file (bytes) or pasted text (str)."""
    if isinstance(data, bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("badge.bin", data)
        return client.post(IMPORT, {"file": upload})
    return client.post(IMPORT, {"text": data})


def import_badge(client, data):
    first = submit(client, data)
    assert first.status_code == 200
    confirm = first.context.get("confirm")
    if confirm is None:
        return first, None
    second = client.post(CONFIRM, {"token": confirm.initial["token"]})
    return first, second


@pytest.fixture
def lea(db):
    return make_user(RECIPIENT, "Léa Dubois")


def test_import_page_needs_an_account(client, db):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post(CONFIRM, {"token": "x"}).status_code == 302
    assert reverse("passport:import") == IMPORT


@requires_node
def test_every_valid_third_party_badge_imports(client, lea, thirdparty, local_network):
    client.force_login(lea)
    valid = [name for name, b in thirdparty.badges.items() if b["expect"] == "valid"]
    assert len(valid) >= 11
    for name in valid:
        first, second = import_badge(client, thirdparty.data(name))
        assert second is not None, (name, first.context["candidate"].refusal)
        assert second.status_code == 302
        badge = PassportBadge.objects.get(public_id=second["Location"].split("/")[-2])
        badge_format = thirdparty.badges[name]["format"]
        assert badge.original_format == badge_format, name
        if badge_format in ("png", "svg"):
            assert bytes(badge.original) == thirdparty.data(name), name
            assert badge.image, name
        assert badge.source == BadgeSource.IMPORTED and badge.state == BadgeState.ACCEPTED
        assert badge.verification_status == "valid", name
        assert badge.recipient_matched == RECIPIENT
        assert badge.verification_report["valid"] is True
        assert "credential" not in badge.verification_report
        assert badge.name in ("Community Mediator", "Bookbinder")
        assert badge.spec in ("ob2", "ob3")
        # The same badge again, in any form, is refused: one copy per passport.
        again, _ = import_badge(client, thirdparty.data(name))
        assert again.context["candidate"].refusal == "This badge is already in your passport."
        PassportBadge.objects.filter(pk=badge.pk).delete()


@requires_node
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("ob3_di_expired", "expired"),
        ("ob3_jwt_future", "not_yet_valid"),
        ("ob2_hosted_expired", "expired"),
        ("ob2_signed_future", "not_yet_valid"),
    ],
)
def test_expired_and_future_badges_are_kept_flagged(
    client,
    lea,
    thirdparty,
    local_network,
    name,
    status,
):
    client.force_login(lea)
    first, _second = import_badge(client, thirdparty.data(name))
    assert b"The badge will be kept with the status shown" in first.content
    badge = PassportBadge.objects.get(owner=lea)
    assert badge.verification_status == status


@requires_node
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ob3_di_tampered", "did not pass verification"),
        ("ob3_jwt_tampered", "did not pass verification"),
        ("ob2_signed_tampered", "did not pass verification"),
        ("ob3_jwt_alg_none", "did not pass verification"),
        ("ob3_di_revoked", "revoked by its issuer"),
        ("ob2_hosted_revoked", "revoked by its issuer"),
        ("ob2_signed_revoked", "revoked by its issuer"),
    ],
)
def test_tampered_and_revoked_badges_are_refused(
    client,
    lea,
    thirdparty,
    local_network,
    name,
    reason,
):
    client.force_login(lea)
    first, second = import_badge(client, thirdparty.data(name))
    assert second is None
    assert reason in first.context["candidate"].refusal
    assert reason in first.content.decode()
    assert not PassportBadge.objects.filter(owner=lea).exists()


@requires_node
def test_a_badge_for_somebody_else_is_refused(client, db, thirdparty, local_network):
    mallory = make_user("mallory@example.org")
    client.force_login(mallory)
    first, second = import_badge(client, thirdparty.data("ob3_di_valid"))
    assert second is None
    assert "not issued to any of your verified email addresses" in first.content.decode()
    assert "mallory@example.org" in first.content.decode()
    assert not PassportBadge.objects.exists()


@requires_node
def test_an_unverified_address_does_not_count(client, db, thirdparty, local_network):
    user = make_user(RECIPIENT, verified=False)
    client.force_login(user)
    first, second = import_badge(client, thirdparty.data("ob2_hosted_valid"))
    assert second is None
    assert "no verified email address" in first.content.decode()


@requires_node
def test_a_second_verified_address_matches(client, db, thirdparty, local_network):
    user = make_user("lea.work@example.org")
    EmailAddress.objects.create(user=user, email=RECIPIENT.upper(), verified=True, primary=False)
    client.force_login(user)
    _, second = import_badge(client, thirdparty.data("ob2_signed_valid"))
    assert second is not None
    assert PassportBadge.objects.get(owner=user).recipient_matched == RECIPIENT


def test_our_own_award_imports_once_and_not_beside_its_passport_copy(client, w):
    award = award_to(w, "kadri.tamm@example.org")
    credential = bytes(award.credential_json).decode()
    other = award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    PassportBadge.objects.filter(award=other).delete()
    client.force_login(w.learner)
    # The passport already holds the award itself (delivered on award): importing it is refused.
    client.get(reverse("passport:list"))
    first, second = import_badge(client, credential)
    assert second is None
    assert first.context["candidate"].refusal == "This badge is already in your passport."


def test_double_confirm_adds_once(client, w):
    award = award_to(w, "kadri.tamm@example.org")
    PassportBadge.objects.filter(award=award).delete()
    client.force_login(w.learner)
    jwt = issuing_services.award_vc_jwt(award=award)
    first = submit(client, jwt)
    token = first.context["confirm"].initial["token"]
    assert client.post(CONFIRM, {"token": token}).status_code == 302
    repeat = client.post(CONFIRM, {"token": token}, follow=True)
    assert "expired or was already added" in repeat.content.decode()
    imported = PassportBadge.objects.filter(owner=w.learner, source=BadgeSource.IMPORTED)
    assert imported.count() == 1
    assert imported.get().original_format == "jwt"
    assert bytes(imported.get().original).decode() == jwt


def test_confirm_needs_csrf(w):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(w.learner)
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert client.post(IMPORT, {"text": "{}"}).status_code == 403


def test_report_is_shown_before_anything_is_stored(client, w):
    award = award_to(w, "kadri.tamm@example.org")
    PassportBadge.objects.filter(award=award).delete()
    client.force_login(w.learner)
    png = bake_png(png_bytes(), bytes(award.credential_json).decode(), ob3=True)
    first = submit(client, png)
    page = first.content.decode()
    assert "Verification report" in page and "This badge is valid." in page
    assert "Issued to your address kadri.tamm@example.org." in page
    assert not PassportBadge.objects.filter(source=BadgeSource.IMPORTED).exists()
