from datetime import timedelta

import orjson
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from issuing import keystore, services
from issuing.ids import uuid7, uuid7_milliseconds
from issuing.models import Award, KeyState, SigningKey, StatusList
from issuing.services import AwardRequest
from openbadges import recipient, schema, status

from .conftest import BADGE_FIELDS, SVG, png_bytes

DESIGNERS = [Role.OWNER, Role.ADMIN, Role.DESIGNER]
AWARDERS = [Role.OWNER, Role.ADMIN, Role.AWARDER]


def actor(w, name):
    return w.outsider if name == "outsider" else w.members[name]


def test_uuid7_is_time_ordered_version_7():
    ids = [uuid7() for _ in range(5000)]
    assert all(value.version == 7 and value.variant == "specified in RFC 4122" for value in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert uuid7_milliseconds(uuid7(milliseconds=1_700_000_000_123)) == 1_700_000_000_123


@pytest.mark.parametrize("role", [*Role.values, "outsider"])
def test_only_designers_create_badge_classes(w, role):
    call = lambda: services.badge_class_create(  # noqa: E731
        actor=actor(w, role), organisation=w.organisation, image=png_bytes(), **BADGE_FIELDS
    )
    if role in DESIGNERS:
        assert call().current_version.name == "Digital Facilitator"
    else:
        with pytest.raises(PermissionDenied):
            call()


@pytest.mark.parametrize("role", [*Role.values, "outsider"])
def test_only_awarders_award_and_revoke(w, badge, role):
    person = actor(w, role)
    if role not in AWARDERS:
        with pytest.raises(PermissionDenied):
            services.award_create(actor=person, badge_class=badge, recipient_email="a@example.org")
        award = services.award_create(
            actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="a@example.org"
        )
        with pytest.raises(PermissionDenied):
            services.award_revoke(actor=person, award=award, reason="Mistake")
        return
    award = services.award_create(actor=person, badge_class=badge, recipient_email="a@example.org")
    services.award_revoke(actor=person, award=award, reason="Awarded by mistake")
    assert Award.objects.get(pk=award.pk).revoked_at is not None


def test_badge_class_validation_names_each_field(w):
    with pytest.raises(ValidationError) as info:
        services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=b"GIF89a not a badge",
            name="",
            description="",
            criteria_narrative="",
            eqf_level=9,
            alignments=[{"targetName": "x", "targetUrl": "not a url"}],
        )
    assert set(info.value.message_dict) >= {
        "name",
        "description",
        "criteria_narrative",
        "eqf_level",
        "alignments",
    }


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (b"GIF89a", "image_type"),
        (png_bytes(size=64)[:40], "image_invalid"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "unsafe"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://tracker.example/p.png"/></svg>',
            "external",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "unsafe"),
    ],
)
def test_bad_images_are_refused(w, image, code):
    with pytest.raises(ValidationError) as info:
        services.badge_class_create(
            actor=w.members[Role.DESIGNER], organisation=w.organisation, image=image, **BADGE_FIELDS
        )
    assert "image" in info.value.message_dict


def test_non_square_png_refused_and_svg_accepted(w):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 100)).save(out, format="PNG")
    with pytest.raises(ValidationError):
        services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=out.getvalue(),
            **BADGE_FIELDS,
        )
    badge = services.badge_class_create(
        actor=w.members[Role.DESIGNER], organisation=w.organisation, image=SVG, **BADGE_FIELDS
    )
    assert badge.current_version.image_type == "image/svg+xml"


def test_stored_credential_follows_the_schema_and_hides_the_email(award):
    credential = orjson.loads(bytes(award.credential_json))
    schema.validate(credential, "achievementcredential")
    assert "kadri" not in bytes(award.credential_json).decode().lower()
    identifier = credential["credentialSubject"]["identifier"][0]
    assert award.recipient_identity == "kadri.tamm@example.org"
    assert recipient.identity_matches(
        identity=identifier["identityHash"],
        hashed=True,
        candidate="kadri.tamm@example.org",
        salt=identifier["salt"],
    )
    assert credential["id"].endswith(f"/credentials/{award.public_id}")
    assert credential["validFrom"] == award.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert credential["credentialStatus"]["statusListIndex"] == str(award.status_index)
    assertion = orjson.loads(bytes(award.assertion_json))
    assert assertion["recipient"]["identity"] == identifier["identityHash"]


def test_retroactive_issue_date_kept_but_future_refused(w, badge):
    past = timezone.now() - timedelta(days=400)
    award = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email="p@example.org",
        issued_at=past,
    )
    assert orjson.loads(bytes(award.credential_json))["validFrom"].startswith(
        past.strftime("%Y-%m-%dT")
    )
    with pytest.raises(ValidationError):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email="f@example.org",
            issued_at=timezone.now() + timedelta(days=2),
        )
    with pytest.raises(ValidationError):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email="g@example.org",
            issued_at=past,
            expires_at=past - timedelta(days=1),
        )


def test_default_validity_sets_valid_until(w, badge):
    services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, default_validity_days=365
    )
    award = services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="v@example.org"
    )
    assert award.expires_at - award.issued_at == timedelta(days=365)
    assert "validUntil" in orjson.loads(bytes(award.credential_json))


def test_duplicates_refused_unless_allowed(w, badge, award):
    with pytest.raises(ValidationError, match="already has this badge"):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email="kadri.tamm@example.org",
        )
    services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, allow_duplicates=True
    )
    second = services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="KADRI.TAMM@example.org"
    )
    assert second.pk != award.pk


def test_revoked_award_may_be_replaced_by_a_new_one(w, badge, award):
    services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Wrong name")
    again = services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="kadri.tamm@example.org"
    )
    assert again.pk != award.pk


def test_same_idempotency_key_returns_the_same_award(w, badge):
    first = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email="i@example.org",
        idempotency_key="lms-42",
    )
    second = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email="i@example.org",
        idempotency_key="lms-42",
    )
    assert first.pk == second.pk
    assert Award.objects.filter(badge_class=badge).count() == 1


def test_editing_after_awards_makes_a_new_version(w, badge, award):
    version = services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, name="Digital Facilitator (advanced)"
    )
    assert version.number == 2
    award.refresh_from_db()
    assert award.badge_class_version.number == 1
    assert award.badge_class_version.name == "Digital Facilitator"
    later = services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="n@example.org"
    )
    assert later.badge_class_version == version
    achievement = orjson.loads(bytes(later.credential_json))["credentialSubject"]["achievement"]
    assert achievement["id"].endswith("?v=2")
    # Version 2 is awarded now too: the next edit makes version 3.
    services.badge_class_update(actor=w.members[Role.DESIGNER], badge_class=badge, tags=["x"])
    assert badge.versions.count() == 3


def test_editing_before_awards_changes_in_place(w, badge):
    version = services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, description="New text."
    )
    assert version.number == 1 and badge.versions.count() == 1


def test_archived_badge_class_cannot_be_awarded(w, badge):
    services.badge_class_archive(actor=w.members[Role.DESIGNER], badge_class=badge)
    with pytest.raises(ValidationError, match="archived"):
        services.award_create(
            actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="z@example.org"
        )


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "not-an-email"), ("url", "ftp://x"), ("telephone", "0123")],
)
def test_bad_recipients_refused(w, badge, kind, value):
    with pytest.raises(ValidationError):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_type=kind,
            recipient_identity=value,
        )


def test_url_and_telephone_recipients(w, badge):
    for kind, value in [("url", "https://kadri.example.org/"), ("telephone", "+372 5555 1234")]:
        award = services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_type=kind,
            recipient_identity=value,
        )
        schema.validate(orjson.loads(bytes(award.credential_json)))
        assert orjson.loads(bytes(award.assertion_json))["recipient"]["type"] == kind
    assert award.recipient_identity == "+37255551234"


def test_evidence_and_narrative_are_signed(w, badge):
    award = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email="e@example.org",
        narrative="Led the Tartu workshop.",
        evidence=[{"url": "https://portfolio.example.org/kadri", "name": "Portfolio"}],
    )
    credential = orjson.loads(bytes(award.credential_json))
    assert credential["evidence"][0]["id"] == "https://portfolio.example.org/kadri"
    assert credential["credentialSubject"]["narrative"] == "Led the Tartu workshop."
    schema.validate(credential)
    with pytest.raises(ValidationError):
        services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email="e2@example.org",
            evidence=[{"url": "javascript:alert(1)"}],
        )


def test_bulk_reports_rows_and_is_idempotent(w, badge):
    requests = [
        AwardRequest(f"learner{n}@example.org", idempotency_key=f"job-1:{n}") for n in range(30)
    ]
    requests.append(AwardRequest("broken", idempotency_key="job-1:bad"))
    requests.append(AwardRequest("learner3@example.org", idempotency_key="job-1:dup"))
    result = services.awards_create_bulk(
        actor=w.members[Role.AWARDER], badge_class=badge, requests=requests
    )
    assert len(result.created) == 30
    assert set(result.errors) == {30, 31}
    again = services.awards_create_bulk(
        actor=w.members[Role.AWARDER], badge_class=badge, requests=requests[:30]
    )
    assert not again.created and len(again.existing) == 30
    assert Award.objects.filter(badge_class=badge).count() == 30
    indexes = sorted(Award.objects.values_list("status_index", flat=True))
    assert indexes == list(range(30))
    assert AuditEvent.objects.filter(action="award.bulk_created").count() == 1


def test_status_indexes_continue_in_a_new_list_when_full(w, badge):
    services.award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="first@example.org"
    )
    StatusList.objects.update(next_index=status.MIN_ENTRIES - 1)
    result = services.awards_create_bulk(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        requests=[AwardRequest("x1@example.org"), AwardRequest("x2@example.org")],
    )
    places = sorted((a.status_list.created_at, a.status_index) for a in result.created)
    assert [index for _, index in places] == [status.MIN_ENTRIES - 1, 0]
    assert StatusList.objects.count() == 2


def test_revocation_sets_the_bit_and_is_final(w, award):
    services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Cheating")
    award.refresh_from_db()
    bits = bytes(award.status_list.bits)
    assert status.bitstring_get(bits, award.status_index) == 1
    assert award.revocation_reason == "Cheating"
    with pytest.raises(ValidationError, match="final"):
        services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Again")
    with pytest.raises(ValidationError):
        services.award_revoke(actor=w.members[Role.ADMIN], award=award, reason=" ")


def test_private_keys_are_encrypted_at_rest_and_rotation_retires(w, award):
    key = SigningKey.objects.get(organisation=w.organisation)
    blob = bytes(key.private_key_encrypted)
    assert b"PRIVATE KEY" not in blob
    keystore.decrypt_private_key(blob, key_public_id=str(key.public_id))
    with pytest.raises(Exception, match="cannot be decrypted"):
        keystore.decrypt_private_key(blob, key_public_id=str(uuid7()))
    with pytest.raises(PermissionDenied):
        services.signing_key_rotate(actor=w.members[Role.DESIGNER], organisation=w.organisation)
    new = services.signing_key_rotate(actor=w.members[Role.OWNER], organisation=w.organisation)
    key.refresh_from_db()
    assert key.status == KeyState.RETIRED and new.key_id == "key-2"
    with pytest.raises(ValidationError):
        services.signing_key_rotate(
            actor=w.members[Role.OWNER], organisation=w.organisation, algorithm="RSA"
        )


def test_actions_are_audited(w, badge, award):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"badge_class.created", "award.created", "signing_key.created"} <= actions


def test_admin_lists_awards_without_secrets(admin_client, award):
    response = admin_client.get("/admin/issuing/award/")
    assert response.status_code == 200
    assert "kadri.tamm@example.org" in response.content.decode()
    key_page = admin_client.get("/admin/issuing/signingkey/")
    assert key_page.status_code == 200
    detail = admin_client.get(f"/admin/issuing/signingkey/{award.signing_key.pk}/change/")
    assert detail.status_code == 200
    assert "private" not in detail.content.decode().lower()


def test_issuer_profile_update_with_logo(client, w, award):
    import io

    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (0, 51, 153)).save(logo, format="PNG")
    with pytest.raises(PermissionDenied):
        services.issuer_profile_update(
            actor=w.members[Role.DESIGNER], organisation=w.organisation, name="X"
        )
    with pytest.raises(ValidationError) as info:
        services.issuer_profile_update(
            actor=w.members[Role.ADMIN], organisation=w.organisation, name="", image=b"GIF89a"
        )
    assert {"name", "image"} <= set(info.value.message_dict)
    profile = services.issuer_profile_update(
        actor=w.members[Role.ADMIN],
        organisation=w.organisation,
        name="Hansa Academy Tallinn",
        url="https://hansa.example.org",
        email="badges@hansa.example.org",
        image=logo.getvalue(),
    )
    response = client.get(f"/issuers/{profile.public_id}/image")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    document = client.get(f"/issuers/{profile.public_id}?v3").json()
    assert document["name"] == "Hansa Academy Tallinn"
    assert document["image"]["id"].endswith(f"/issuers/{profile.public_id}/image")
    later = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=award.badge_class,
        recipient_email="l@example.org",
    )
    issuer = orjson.loads(bytes(later.credential_json))["issuer"]
    assert issuer["name"] == "Hansa Academy Tallinn" and "image" in issuer
    schema.validate(orjson.loads(bytes(later.credential_json)))
    # Awards made before keep the profile they were signed with.
    assert orjson.loads(bytes(award.credential_json))["issuer"]["name"] == "Hansa Academy"
