"""Verification of Open Badges 2.0: hosted assertions (1EdTech validator rules) and signed JWS."""

import copy
import io
import json

import pytest
from PIL import Image

from openbadges import baking, jws, ob2, recipient, status
from openbadges.fetch import FetchResponse, StaticFetcher
from openbadges.keys import KeyPair
from openbadges.tests.verify_support import EMAIL, NOW, SALT
from openbadges.verify import verify

HOST = "https://badges.example.eu"
ASSERTION_URL = f"{HOST}/ob2/assertions/9f2c4b7e"
BADGE_URL = f"{HOST}/ob2/badgeclasses/data-literacy-basics"
ISSUER_URL = f"{HOST}/ob2/issuers/acme-academy"
KEY_URL = f"{HOST}/ob2/keys/1"
LIST_URL = f"{HOST}/ob2/issuers/acme-academy/revocations"
SIGNED_ID = "urn:uuid:0d1b0a56-3f0e-4d7e-8a43-1c0e8b9f6a21"


def outcomes(report):
    return {check.id: check.outcome for check in report.checks}


def badge_class(**changes):
    document = ob2.badge_class(
        id=BADGE_URL,
        name="Data Literacy Basics",
        description="Reads, cleans and charts small tabular data sets.",
        image=BADGE_URL + "/image.png",
        criteria={"narrative": "Pass the final assessment with at least 70%."},
        issuer=ISSUER_URL,
    )
    document.update(changes)
    return document


def issuer(**kwargs):
    return ob2.issuer_profile(
        id=ISSUER_URL,
        name="ACME Academy",
        url="https://acme-academy.example.eu",
        email="badges@acme-academy.example.eu",
        **kwargs,
    )


def assertion(assertion_id=ASSERTION_URL, **kwargs):
    return ob2.assertion(
        id=assertion_id,
        recipient=recipient.ob2_identity_object(EMAIL, salt=SALT),
        badge=BADGE_URL,
        issued_on="2025-03-01T09:00:00Z",
        **kwargs,
    )


def served(document, content_type="application/ld+json", status_code=200, url=ASSERTION_URL):
    body = json.dumps(document).encode()
    return FetchResponse(
        url=url,
        status=status_code,
        headers={"content-type": content_type},
        content=body,
        content_type=content_type,
    )


def hosted_world(document=None, **overrides):
    mapping = {
        ASSERTION_URL: served(document if document is not None else assertion()),
        BADGE_URL: badge_class(),
        ISSUER_URL: issuer(),
    }
    mapping.update(overrides)
    return StaticFetcher(mapping)


# -- hosted -------------------------------------------------------------------------------------


def test_a_hosted_assertion_url_is_valid():
    fetcher = hosted_world()
    report = verify(ASSERTION_URL, fetcher=fetcher, now=NOW, expected_recipient=EMAIL)
    assert report.valid, report.failures
    assert report.format == "ob2-hosted"
    assert [c.id for c in report.checks] == [
        "input.fetch",
        "input.parse",
        "hosted.fetch",
        "ob2.badge",
        "ob2.issuer",
        "hosted.origin",
        "status.revocation",
        "validity.not_before",
        "validity.expiry",
        "recipient",
    ]
    assert fetcher.requests == [ASSERTION_URL, BADGE_URL, ISSUER_URL]
    assert report.summary["name"] == "Data Literacy Basics"
    assert report.summary["issuer_name"] == "ACME Academy"
    assert report.related["badge"]["id"] == BADGE_URL


def test_a_presented_copy_is_replaced_by_what_the_issuer_serves():
    presented = assertion()
    presented["recipient"] = recipient.ob2_identity_object("mallory@example.eu", salt="x")
    fetcher = hosted_world()
    report = verify(presented, fetcher=fetcher, now=NOW, expected_recipient=EMAIL)
    assert report.valid, report.failures
    assert fetcher.requests[0] == ASSERTION_URL
    assert report.credential["recipient"]["salt"] == SALT
    mallory = verify(
        presented, fetcher=hosted_world(), now=NOW, expected_recipient="mallory@example.eu"
    )
    assert outcomes(mallory)["recipient"] == "failed"


def test_gone_means_revoked():
    gone_body = {
        "@context": ob2.CONTEXT,
        "id": ASSERTION_URL,
        "revoked": True,
        "revocationReason": "Awarded by mistake",
    }
    fetcher = hosted_world(**{ASSERTION_URL: served(gone_body, status_code=410)})
    report = verify(ASSERTION_URL, fetcher=fetcher, now=NOW)
    assert not report.valid
    check = report.check("status.revocation")
    assert check.outcome == "failed" and check.code == "status.revoked"
    assert "Awarded by mistake" in check.message
    assert report.format == "ob2-hosted"
    presented = verify(assertion(), fetcher=fetcher, now=NOW)
    assert presented.check("status.revocation").code == "status.revoked"


def test_revoked_true_in_the_hosted_assertion():
    document = assertion()
    document["revoked"] = True
    report = verify(ASSERTION_URL, fetcher=hosted_world(document), now=NOW)
    assert outcomes(report)["status.revocation"] == "failed"


def test_a_missing_hosted_assertion_fails():
    fetcher = hosted_world(**{ASSERTION_URL: FetchResponse(url=ASSERTION_URL, status=404)})
    report = verify(assertion(), fetcher=fetcher, now=NOW)
    assert outcomes(report)["hosted.fetch"] == "failed"
    assert not report.valid


def test_the_served_document_must_carry_its_own_id():
    other = f"{HOST}/ob2/assertions/other"
    report = verify(assertion(), fetcher=hosted_world(assertion(other)), now=NOW)
    assert report.check("hosted.fetch").code == "ob2.id_mismatch"


def test_a_copy_served_elsewhere_is_checked_at_its_id():
    mirror = "https://backpack.example.org/shared/123"
    fetcher = hosted_world(**{mirror: served(assertion(), url=mirror)})
    report = verify(mirror, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert fetcher.requests[:2] == [mirror, ASSERTION_URL]


def test_another_origin_than_the_issuer_fails():
    elsewhere = "https://cdn.example.net/ob2/assertions/9f2c4b7e"
    fetcher = hosted_world(**{elsewhere: served(assertion(elsewhere), url=elsewhere)})
    report = verify(elsewhere, fetcher=fetcher, now=NOW)
    assert outcomes(report)["hosted.origin"] == "failed"
    assert report.check("hosted.origin").code == "ob2.origin"


def test_same_host_with_another_port_is_another_origin():
    elsewhere = "https://badges.example.eu:8443/ob2/assertions/9f2c4b7e"
    fetcher = hosted_world(**{elsewhere: served(assertion(elsewhere), url=elsewhere)})
    assert outcomes(verify(elsewhere, fetcher=fetcher, now=NOW))["hosted.origin"] == "failed"


@pytest.mark.parametrize(
    "verification",
    [
        {"allowedOrigins": ["cdn.example.net"]},
        {"startsWith": ["https://cdn.example.net/ob2/"]},
    ],
)
def test_the_issuer_may_allow_other_origins(verification):
    elsewhere = "https://cdn.example.net/ob2/assertions/9f2c4b7e"
    fetcher = hosted_world(
        **{
            elsewhere: served(assertion(elsewhere), url=elsewhere),
            ISSUER_URL: issuer(verification={"type": "VerificationObject", **verification}),
        }
    )
    report = verify(elsewhere, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures


def test_a_non_json_content_type_is_a_warning():
    fetcher = hosted_world(**{ASSERTION_URL: served(assertion(), content_type="text/html")})
    report = verify(assertion(), fetcher=fetcher, now=NOW)
    assert outcomes(report)["hosted.fetch"] == "warning"
    assert report.valid


def test_expired_hosted_assertion():
    document = assertion(expires="2025-12-31T00:00:00Z")
    report = verify(ASSERTION_URL, fetcher=hosted_world(document), now=NOW)
    assert outcomes(report)["validity.expiry"] == "failed"


def test_issued_in_the_future():
    document = assertion()
    document["issuedOn"] = "2027-01-01T00:00:00Z"
    report = verify(ASSERTION_URL, fetcher=hosted_world(document), now=NOW)
    assert outcomes(report)["validity.not_before"] == "failed"


def test_date_only_issued_on_is_read():
    document = assertion()
    document["issuedOn"] = "2016-12-31"
    assert verify(ASSERTION_URL, fetcher=hosted_world(document), now=NOW).valid


@pytest.mark.parametrize(
    "identity, expected",
    [
        ({"type": "email", "hashed": False, "identity": EMAIL}, "passed"),
        (
            {
                "type": "email",
                "hashed": True,
                "salt": SALT,
                "identity": recipient.hash_identity(EMAIL, SALT, algorithm="md5"),
            },
            "passed",
        ),
        (
            {
                "type": "email",
                "hashed": True,
                "salt": SALT,
                "identity": recipient.hash_identity(EMAIL, SALT)
                .upper()
                .replace("SHA256", "sha256"),
            },
            "passed",
        ),
        ({"type": "email", "hashed": True, "identity": "sha256$nothex"}, "failed"),
        ({"type": "email", "hashed": False, "identity": "someone@example.eu"}, "failed"),
    ],
)
def test_recipient_forms(identity, expected):
    document = assertion()
    document["recipient"] = identity
    report = verify(
        ASSERTION_URL,
        fetcher=hosted_world(document),
        now=NOW,
        expected_recipient="Learner@Example.eu",
    )
    assert outcomes(report)["recipient"] == expected


def test_badge_class_without_criteria_fails():
    broken = badge_class()
    del broken["criteria"]
    report = verify(ASSERTION_URL, fetcher=hosted_world(**{BADGE_URL: broken}), now=NOW)
    assert outcomes(report)["ob2.badge"] == "failed"


def test_unreachable_badge_class_fails():
    fetcher = hosted_world()
    del fetcher.mapping[BADGE_URL]
    report = verify(ASSERTION_URL, fetcher=fetcher, now=NOW)
    assert outcomes(report)["ob2.badge"] == "failed"
    assert not report.valid


def test_issuer_that_is_no_profile_fails():
    fetcher = hosted_world(**{ISSUER_URL: {"id": ISSUER_URL, "type": "Thing"}})
    report = verify(ASSERTION_URL, fetcher=fetcher, now=NOW)
    assert outcomes(report)["ob2.issuer"] == "failed"


def test_hosted_with_an_issuer_revocation_list():
    fetcher = hosted_world(
        **{
            ISSUER_URL: issuer(revocation_list=LIST_URL),
            LIST_URL: status.ob2_revocation_list_document(
                id=LIST_URL, issuer=ISSUER_URL, revoked=[(ASSERTION_URL, "Cheated")]
            ),
        }
    )
    report = verify(ASSERTION_URL, fetcher=fetcher, now=NOW)
    assert outcomes(report)["status.revocation"] == "failed"
    assert "Cheated" in report.check("status.revocation").message


def png_image():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_png_baked_with_the_assertion_url():
    baked = baking.bake_png(png_image(), ASSERTION_URL, ob3=False)
    report = verify(baked, fetcher=hosted_world(), now=NOW)
    assert report.valid, report.failures
    assert [c.id for c in report.checks[:3]] == ["input.unbake", "input.fetch", "input.parse"]


def test_svg_baked_with_the_assertion_json():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    baked = baking.bake_svg(svg, json.dumps(assertion()), ob3=False, verify_url=ASSERTION_URL)
    report = verify(baked, fetcher=hosted_world(), now=NOW)
    assert report.valid, report.failures


# -- signed -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key():
    return KeyPair.generate("RSA")


def signed_world(key, *, revoked=(), key_owner=ISSUER_URL, listed=True):
    key_document = ob2.cryptographic_key(
        id=KEY_URL, owner=key_owner, public_key_pem=key.public_pem()
    )
    return StaticFetcher(
        {
            BADGE_URL: badge_class(),
            ISSUER_URL: issuer(public_keys=[KEY_URL] if listed else [], revocation_list=LIST_URL),
            KEY_URL: key_document,
            LIST_URL: status.ob2_revocation_list_document(
                id=LIST_URL, issuer=ISSUER_URL, revoked=[(rid, "Revoked") for rid in revoked]
            ),
        }
    )


def signed_assertion(key):
    document = assertion(SIGNED_ID, verification=ob2.signed_verification(KEY_URL))
    return jws.sign_ob2_assertion(document, key=key)


def test_a_signed_assertion_is_valid(rsa_key):
    token = signed_assertion(rsa_key)
    report = verify(token, fetcher=signed_world(rsa_key), now=NOW, expected_recipient=EMAIL)
    assert report.valid, report.failures
    assert report.format == "ob2-signed"
    assert [c.id for c in report.checks] == [
        "input.parse",
        "ob2.badge",
        "ob2.issuer",
        "issuer.key",
        "proof",
        "status.revocation",
        "validity.not_before",
        "validity.expiry",
        "recipient",
    ]
    assert report.original == token


def test_a_revoked_signed_assertion(rsa_key):
    token = signed_assertion(rsa_key)
    report = verify(token, fetcher=signed_world(rsa_key, revoked=[SIGNED_ID]), now=NOW)
    assert outcomes(report)["status.revocation"] == "failed"
    assert outcomes(report)["proof"] == "passed"


def test_a_tampered_signed_assertion(rsa_key):
    header, payload, signature = signed_assertion(rsa_key).split(".")
    from openbadges.keys import b64url_decode, b64url_encode

    claims = json.loads(b64url_decode(payload))
    claims["issuedOn"] = "2020-01-01T00:00:00Z"
    forged = ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])
    report = verify(forged, fetcher=signed_world(rsa_key), now=NOW)
    assert outcomes(report)["proof"] == "failed"


def test_a_signature_by_another_key(rsa_key):
    other = KeyPair.generate("RSA")
    report = verify(signed_assertion(other), fetcher=signed_world(rsa_key), now=NOW)
    assert outcomes(report)["proof"] == "failed"


def test_a_key_the_issuer_does_not_list_is_refused(rsa_key):
    report = verify(signed_assertion(rsa_key), fetcher=signed_world(rsa_key, listed=False), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert not report.valid


def test_a_key_owned_by_someone_else_is_refused(rsa_key):
    fetcher = signed_world(rsa_key, key_owner="https://evil.example/issuer")
    report = verify(signed_assertion(rsa_key), fetcher=fetcher, now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"


def test_a_signed_assertion_without_its_signature_cannot_be_verified(rsa_key):
    document = assertion(SIGNED_ID, verification=ob2.signed_verification(KEY_URL))
    report = verify(copy.deepcopy(document), fetcher=signed_world(rsa_key), now=NOW)
    assert report.format == "ob2-signed"
    assert report.check("proof").code == "proof.missing"


def test_an_assertion_without_recipient_fails():
    document = assertion()
    del document["recipient"]
    report = verify(ASSERTION_URL, fetcher=hosted_world(document), now=NOW)
    assert report.check("ob2.assertion").outcome == "failed"
    assert "recipient" in report.check("ob2.assertion").message
