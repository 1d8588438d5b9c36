"""The learner's choices, imports, verification results and public profiles, at service level."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from audit.models import AuditEvent
from issuing import services as issuing_services
from issuing.tests.conftest import png_bytes
from openbadges.verify import VerificationReport
from passport import services
from passport.models import (
    MAX_TAGS,
    BadgeSource,
    BadgeState,
    PassportBadge,
    PassportProfile,
    VerificationStatus,
    Visibility,
)

from .conftest import award_to


@pytest.fixture
def badge(w):
    award_to(w, "kadri.tamm@example.org")
    services.passport_sync_for_user(user=w.learner)
    return PassportBadge.objects.get(owner=w.learner)


def report(*checks) -> VerificationReport:
    result = VerificationReport(format="ob3-json")
    for check_id, outcome, code in checks or [("proof", "passed", None)]:
        result.add(check_id, outcome, f"{check_id} {outcome}", code)
    return result


def test_accept_decline_and_change_of_mind(w, badge):
    badge = services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    assert badge.state == BadgeState.ACCEPTED and badge.state_changed_at is not None
    badge = services.passport_badge_set_visibility(
        actor=w.learner, badge=badge, visibility=Visibility.PUBLIC
    )
    badge = services.passport_badge_share_create(actor=w.learner, badge=badge)
    assert badge.share_token
    badge = services.passport_badge_set_state(actor=w.learner, badge=badge, state="declined")
    # Declining hides the badge everywhere: private again, share link gone.
    assert badge.state == BadgeState.DECLINED
    assert badge.visibility == Visibility.PRIVATE and badge.share_token is None
    badge = services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    assert badge.state == BadgeState.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(target_id=str(badge.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "passport.badge_accepted",
        "passport.visibility_changed",
        "passport.share_link_created",
        "passport.badge_declined",
        "passport.badge_accepted",
    ]


def test_same_state_twice_is_one_change(w, badge):
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    assert AuditEvent.objects.filter(action="passport.badge_accepted").count() == 1


@pytest.mark.parametrize("state", ["pending", "", "deleted"])
def test_only_accept_or_decline(w, badge, state):
    with pytest.raises(ValidationError):
        services.passport_badge_set_state(actor=w.learner, badge=badge, state=state)


def test_others_cannot_change_a_badge(w, badge):
    calls = [
        lambda actor: services.passport_badge_set_state(actor=actor, badge=badge, state="accepted"),
        lambda actor: services.passport_badge_set_visibility(
            actor=actor, badge=badge, visibility="public"
        ),
        lambda actor: services.passport_badge_share_create(actor=actor, badge=badge),
        lambda actor: services.passport_badge_share_revoke(actor=actor, badge=badge),
        lambda actor: services.passport_badge_set_hide_evidence(
            actor=actor, badge=badge, hide=True
        ),
        lambda actor: services.passport_badge_tag_add(actor=actor, badge=badge, tag="x"),
        lambda actor: services.passport_badge_tag_remove(actor=actor, badge=badge, tag="x"),
        lambda actor: services.passport_badge_delete(actor=actor, badge=badge),
    ]
    from django.contrib.auth.models import AnonymousUser

    for actor in (w.other, w.awarder, AnonymousUser()):
        for call in calls:
            with pytest.raises(PermissionDenied):
                call(actor)


def test_pending_badge_cannot_be_shown_or_shared(w, badge):
    with pytest.raises(ValidationError):
        services.passport_badge_set_visibility(actor=w.learner, badge=badge, visibility="public")
    with pytest.raises(ValidationError):
        services.passport_badge_share_create(actor=w.learner, badge=badge)
    # Private is always allowed.
    services.passport_badge_set_visibility(actor=w.learner, badge=badge, visibility="private")


def test_unknown_visibility_is_refused(w, badge):
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    with pytest.raises(ValidationError):
        services.passport_badge_set_visibility(actor=w.learner, badge=badge, visibility="world")


def test_new_share_link_replaces_the_old_one(w, badge):
    services.passport_badge_set_state(actor=w.learner, badge=badge, state="accepted")
    first = services.passport_badge_share_create(actor=w.learner, badge=badge).share_token
    second = services.passport_badge_share_create(actor=w.learner, badge=badge).share_token
    assert first != second and len(second) >= 32
    badge = services.passport_badge_share_revoke(actor=w.learner, badge=badge)
    assert badge.share_token is None


def test_tags_are_normalised_unique_and_limited(w, badge):
    badge = services.passport_badge_tag_add(actor=w.learner, badge=badge, tag="  Data   Science ")
    badge = services.passport_badge_tag_add(actor=w.learner, badge=badge, tag="data science")
    assert badge.tags == ["data science"]
    for number in range(MAX_TAGS - 1):
        badge = services.passport_badge_tag_add(actor=w.learner, badge=badge, tag=f"t{number}")
    assert len(badge.tags) == MAX_TAGS
    with pytest.raises(ValidationError, match="at most 20 tags"):
        services.passport_badge_tag_add(actor=w.learner, badge=badge, tag="one more")
    badge = services.passport_badge_tag_remove(actor=w.learner, badge=badge, tag="DATA SCIENCE")
    assert "data science" not in badge.tags and len(badge.tags) == MAX_TAGS - 1


@pytest.mark.parametrize("tag", ["", "   ", "x" * 41])
def test_bad_tags_are_refused(w, badge, tag):
    with pytest.raises(ValidationError):
        services.passport_badge_tag_add(actor=w.learner, badge=badge, tag=tag)


def test_awarded_badge_cannot_be_removed(w, badge):
    with pytest.raises(ValidationError):
        services.passport_badge_delete(actor=w.learner, badge=badge)


def test_revoked_award_stays_and_shows_revoked(w, badge):
    from passport.selectors import badge_status

    assert badge_status(badge) == VerificationStatus.VALID
    issuing_services.award_revoke(actor=w.awarder, award=badge.award, reason="Wrong person")
    badge = PassportBadge.objects.select_related("award").get(pk=badge.pk)
    assert badge_status(badge) == VerificationStatus.REVOKED


def _import(w, **overrides):
    fields = {
        "actor": w.learner,
        "original": b'{"type": ["VerifiableCredential"]}',
        "original_format": "json",
        "original_filename": "C:\\Users\\me\\badge.json",
        "credential": {"type": ["VerifiableCredential"]},
        "report": report(),
        "snapshot": {
            "name": "Imported",
            "issuer_name": "Elsewhere",
            "issuer_url": "https://elsewhere.example.org",
            "spec": "ob3",
            "image": ContentFile(png_bytes(), name="../../evil.png"),
        },
    }
    fields.update(overrides)
    return services.passport_badge_import_create(**fields)


def test_import_keeps_the_exact_bytes_and_starts_accepted(w):
    badge = _import(w)
    badge.refresh_from_db()
    assert bytes(badge.original) == b'{"type": ["VerifiableCredential"]}'
    assert badge.source == BadgeSource.IMPORTED and badge.state == BadgeState.ACCEPTED
    assert badge.visibility == Visibility.PRIVATE
    assert badge.verification_status == VerificationStatus.VALID
    assert "credential" not in badge.verification_report
    assert badge.verified_at is not None
    # Stored under a random name, never the uploader's path.
    assert badge.image.name.startswith("passport/") and "evil" not in badge.image.name
    assert AuditEvent.objects.filter(action="passport.badge_imported").count() == 1


def test_import_refuses_anonymous_and_unknown_formats(w):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _import(w, actor=AnonymousUser())
    with pytest.raises(ValidationError):
        _import(w, original_format="exe")


def test_imported_badge_can_be_removed(w):
    badge = _import(w)
    services.passport_badge_delete(actor=w.learner, badge=badge)
    assert not PassportBadge.objects.filter(pk=badge.pk).exists()


@pytest.mark.parametrize(
    ("checks", "status"),
    [
        ([("proof", "passed", None)], VerificationStatus.VALID),
        ([("status.revocation", "failed", "status.revoked")], VerificationStatus.REVOKED),
        ([("validity.expiry", "failed", "validity.expired")], VerificationStatus.EXPIRED),
        (
            [("validity.not_before", "failed", "validity.not_yet_valid")],
            VerificationStatus.NOT_YET_VALID,
        ),
        ([("input.fetch", "failed", "fetch.timeout")], VerificationStatus.ERROR),
        ([("proof", "failed", "proof.invalid")], VerificationStatus.INVALID),
    ],
)
def test_verification_status_of_a_report(w, checks, status):
    badge = _import(w)
    badge = services.passport_badge_set_verification(badge=badge, report=report(*checks))
    assert badge.verification_status == status
    assert badge.verification_report["checks"][0]["id"] == checks[0][0]


def test_profile_handles(w):
    profile = services.passport_profile_update(
        actor=w.learner, handle="Kadri-Tamm", enabled=True, headline="  Learner   in Tartu "
    )
    assert profile.handle == "kadri-tamm" and profile.headline == "Learner in Tartu"
    profile = services.passport_profile_update(actor=w.learner, handle="kadri-t", enabled=False)
    assert PassportProfile.objects.get(user=w.learner).handle == "kadri-t"
    with pytest.raises(ValidationError, match="taken"):
        services.passport_profile_update(actor=w.other, handle="kadri-t", enabled=True)
    for bad in ("ab", "admin", "x" * 51, "---"):
        with pytest.raises(ValidationError):
            services.passport_profile_update(actor=w.other, handle=bad, enabled=True)


def test_import_keeps_only_web_addresses(w):
    badge = _import(
        w,
        source_url="javascript:alert(1)",
        snapshot={
            "name": "Imported",
            "issuer_url": "did:web:issuer.example.org",
            "image_url": "https://issuer.example.org/" + "x" * 2100,
        },
    )
    assert (badge.issuer_url, badge.image_url, badge.source_url) == ("", "", "")
    badge = _import(w, source_url="https://issuer.example.org/badge.json")
    assert badge.source_url == "https://issuer.example.org/badge.json"
    assert badge.issuer_url == "https://elsewhere.example.org"
