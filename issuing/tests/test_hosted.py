"""The hosted endpoints, verified end to end by openbadges.verify through the test client."""

import base64
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import orjson
import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from issuing import hosted, services
from issuing.fetcher import SiteFetcher
from issuing.models import Award
from openbadges import baking, did, status, vcjwt
from openbadges.fetch import FetchResponse, media_type
from openbadges.verify import verify

from .conftest import BADGE_FIELDS, SVG, png_bytes

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VERIFIER = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class ClientFetcher:
    """Serves the platform's own URLs to the verifier through Django's test client."""

    def __init__(self, client):
        self.client = client
        self.requests = []

    def get(self, url, *, accept=VERIFIER):
        self.requests.append(url)
        parts = urlsplit(url)
        response = self.client.get(
            parts.path, query_params=dict(_pairs(parts.query)), headers={"accept": accept}
        )
        return FetchResponse(
            url=url,
            status=response.status_code,
            headers={key.lower(): value for key, value in response.items()},
            content=response.content,
            content_type=media_type(response.get("Content-Type")),
        )


def _pairs(query):
    for item in query.split("&") if query else []:
        key, _, value = item.partition("=")
        yield key, value


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_credential_verifies_through_the_platform_endpoints(client, award):
    response = client.get(f"/credentials/{award.public_id}", headers={"accept": VERIFIER})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response.content == bytes(award.credential_json)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "immutable" in response["Cache-Control"]
    fetcher = ClientFetcher(client)
    report = verify(
        response.content.decode(), fetcher=fetcher, expected_recipient="kadri.tamm@example.org"
    )
    assert report.valid, [c.to_dict() for c in report.failures]
    outcomes = {check.id: check.outcome for check in report.checks}
    assert outcomes["schema"] == outcomes["proof"] == outcomes["status.revocation"] == "passed"
    assert outcomes["recipient"] == "passed"
    assert any("/status/" in url for url in fetcher.requests)


def test_vc_jwt_verifies(client, award):
    response = client.get(f"/credentials/{award.public_id}.jwt")
    assert response["Content-Type"].startswith("text/plain")
    report = verify(response.content.decode(), fetcher=ClientFetcher(client))
    assert report.valid, [c.to_dict() for c in report.failures]
    assert report.format is not None


def test_vc_jwt_is_signed_on_first_request_and_kept(client, award):
    assert award.credential_jwt == ""
    first = client.get(f"/credentials/{award.public_id}.jwt").content.decode()
    award.refresh_from_db()
    assert award.credential_jwt == first
    # What sign_vc_jwt makes of the stored credential, its proof time as iat: the same bytes
    # the award would have had if the token had been signed with it (Ed25519 is deterministic).
    credential = orjson.loads(bytes(award.credential_json))
    proof = credential.pop("proof")[0]
    signer = services.active_signer(award.organisation)
    expected = vcjwt.sign_vc_jwt(
        credential,
        key=signer.keypair,
        kid=signer.jwt_kid,
        issued_at=datetime.fromisoformat(proof["created"]),
    )
    assert first == expected
    assert client.get(f"/credentials/{award.public_id}.jwt").content.decode() == first


def test_vc_jwt_stored_by_another_request_first_is_the_one_served(award):
    """Two first requests at once: the one that stores second serves what is stored."""
    stale = Award.objects.get(pk=award.pk)
    Award.objects.filter(pk=award.pk).update(credential_jwt="stored.by.other")
    assert services.award_vc_jwt(award=stale) == "stored.by.other"


def test_hosted_assertion_verifies_as_ob2(client, award):
    report = verify(
        f"http://127.0.0.1:8000/assertions/{award.public_id}", fetcher=ClientFetcher(client)
    )
    assert report.valid, [c.to_dict() for c in report.failures]
    assert report.format == "ob2-hosted"


def test_revocation_answers_410_sets_the_bit_and_fails_verification(client, w, award):
    services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Identity mix-up")
    response = client.get(f"/assertions/{award.public_id}", headers={"accept": VERIFIER})
    assert response.status_code == 410
    assert response.json()["revoked"] is True
    assert response.json()["revocationReason"] == "Identity mix-up"
    revocations = client.get(f"/issuers/{award.organisation.issuer_profile.public_id}/revocations")
    assert revocations.json()["revokedAssertions"] == [
        {
            "id": f"http://127.0.0.1:8000/assertions/{award.public_id}",
            "revocationReason": "Identity mix-up",
        }
    ]
    credential = orjson.loads(bytes(award.credential_json))
    status_list = client.get(path_of(credential["credentialStatus"]["statusListCredential"])).json()
    result = status.check_bitstring_entry(credential["credentialStatus"], status_list)
    assert result.revoked
    report = verify(bytes(award.credential_json).decode(), fetcher=ClientFetcher(client))
    assert not report.valid
    assert report.check("status.revocation").outcome == "failed"
    ob2_report = verify(
        f"http://127.0.0.1:8000/assertions/{award.public_id}", fetcher=ClientFetcher(client)
    )
    assert not ob2_report.valid


def test_status_list_is_cached_until_a_bit_changes(client, w, award):
    credential = orjson.loads(bytes(award.credential_json))
    url = path_of(credential["credentialStatus"]["statusListCredential"])
    first = client.get(url)
    again = client.get(url)
    assert first.content == again.content and first["ETag"] == again["ETag"]
    services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Error")
    assert client.get(url)["ETag"] != first["ETag"]


def test_browsers_are_sent_to_the_award_page(client, award):
    for url in (f"/credentials/{award.public_id}", f"/assertions/{award.public_id}"):
        response = client.get(url, headers={"accept": BROWSER})
        assert response.status_code == 302
        assert response["Location"] == reverse("issuing:award_detail", args=[award.public_id])
        assert "Accept" in response["Vary"]
    page = client.get(f"/awards/{award.public_id}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Digital Facilitator" in text and "Kadri Tamm" in text and "Hansa Academy" in text
    assert "This badge is valid" in text
    assert (
        client.get(f"/credentials/{award.public_id}?format=json", headers={"accept": BROWSER})[
            "Content-Type"
        ]
        == "application/vc+ld+json"
    )


def test_award_page_says_revoked(client, w, award):
    services.award_revoke(actor=w.members[Role.AWARDER], award=award, reason="Plagiarism")
    text = client.get(f"/awards/{award.public_id}").content.decode()
    assert "revoked" in text and "Plagiarism" in text


def test_etag_gives_304(client, award):
    url = f"/credentials/{award.public_id}"
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304 and response.content == b""
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_badge_and_issuer_documents(client, badge, award):
    version_url = f"/badges/{badge.public_id}?v=1"
    ob2_badge = client.get(version_url, headers={"accept": VERIFIER}).json()
    assert ob2_badge["type"] == "BadgeClass"
    assert ob2_badge["id"] == f"http://127.0.0.1:8000{version_url}"
    achievement = client.get(f"/badges/{badge.public_id}?v=1&v3").json()
    assert achievement["type"] == ["Achievement"]
    assert client.get(f"/badges/{badge.public_id}", headers={"accept": BROWSER})[
        "Content-Type"
    ].startswith("text/html")
    assert client.get(f"/badges/{badge.public_id}?v=7").status_code == 404
    assert client.get(f"/badges/{badge.public_id}?v=x").status_code == 404
    image = client.get(f"/badges/{badge.public_id}/image?v=1")
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    profile = badge.organisation.issuer_profile
    issuer = client.get(f"/issuers/{profile.public_id}", headers={"accept": VERIFIER}).json()
    assert issuer["type"] == "Issuer" and issuer["revocationList"].endswith("/revocations")
    assert client.get(f"/issuers/{profile.public_id}?v3").json()["type"] == ["Profile"]
    page = client.get(f"/issuers/{profile.public_id}", headers={"accept": BROWSER})
    assert "Digital Facilitator" in page.content.decode()
    # A local site has no did:web; its keys are listed in the JWK Set.
    assert client.get(f"/issuers/{profile.public_id}/did.json").status_code == 404
    keys = client.get(f"/issuers/{profile.public_id}/jwks.json").json()["keys"]
    assert keys[0]["kid"].startswith(f"http://127.0.0.1:8000/issuers/{profile.public_id}#z6Mk")


def test_unknown_ids_are_404_not_500(client, db):
    for url in (
        "/credentials/01a21b98-ca0e-7313-aafc-1672c374bd20",
        "/assertions/01a21b98-ca0e-7313-aafc-1672c374bd20",
        "/badges/01a21b98-ca0e-7313-aafc-1672c374bd20",
        "/issuers/01a21b98-ca0e-7313-aafc-1672c374bd20",
        "/credentials/not-a-uuid",
    ):
        assert client.get(url).status_code == 404


def test_baked_png_and_svg_unbake_to_the_stored_credential(client, w, award):
    response = client.get(f"/awards/{award.public_id}/badge.png")
    assert response["Content-Type"] == "image/png"
    assert baking.unbake(response.content).text == bytes(award.credential_json).decode()
    assert (
        client.get(
            f"/awards/{award.public_id}/badge.png", headers={"if-none-match": response["ETag"]}
        ).status_code
        == 304
    )
    assert client.get(f"/awards/{award.public_id}/badge.svg").status_code == 404
    svg_badge = services.badge_class_create(
        actor=w.members[Role.DESIGNER], organisation=w.organisation, image=SVG, **BADGE_FIELDS
    )
    svg_award = services.award_create(
        actor=w.members[Role.AWARDER], badge_class=svg_badge, recipient_email="s@example.org"
    )
    baked = client.get(f"/awards/{svg_award.public_id}/badge.svg")
    assert baked["Content-Type"] == "image/svg+xml"
    assert baking.unbake(baked.content).text == bytes(svg_award.credential_json).decode()
    report = verify(baked.content, fetcher=ClientFetcher(client))
    assert report.valid, [c.to_dict() for c in report.failures]


def test_site_fetcher_answers_own_urls_in_process(award):
    report = verify(bytes(award.credential_json).decode(), fetcher=SiteFetcher())
    assert report.valid, [c.to_dict() for c in report.failures]


@pytest.mark.django_db
def test_did_web_issuer_on_a_domain_site(client, w):
    with override_settings(SITE_URL="https://badges.example.org"):
        badge = services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **BADGE_FIELDS,
        )
        award = services.award_create(
            actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="d@example.org"
        )
        credential = orjson.loads(bytes(award.credential_json))
        profile = w.organisation.issuer_profile
        did_web = f"did:web:badges.example.org:issuers:{profile.public_id}"
        assert credential["issuer"]["id"] == did_web
        assert credential["proof"][0]["verificationMethod"] == f"{did_web}#key-1"
        document = client.get(f"/issuers/{profile.public_id}/did.json").json()
        assert document["id"] == did_web
        assert did.did_web_url(did_web).endswith(f"/issuers/{profile.public_id}/did.json")
        fetcher = ClientFetcher(client)
        report = verify(bytes(award.credential_json).decode(), fetcher=fetcher)
        assert report.valid, [c.to_dict() for c in report.failures]
        # After a rotation, what the retired key signed still verifies, and the VC-JWT, first
        # asked for now, is signed with the award's retired key, not the active one.
        services.signing_key_rotate(actor=w.members[Role.OWNER], organisation=w.organisation)
        report = verify(bytes(award.credential_json).decode(), fetcher=ClientFetcher(client))
        assert report.valid, [c.to_dict() for c in report.failures]
        token = client.get(f"/credentials/{award.public_id}.jwt").content.decode()
        assert orjson.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"].endswith(
            "#key-1-jwk"
        )
        report = verify(token, fetcher=ClientFetcher(client))
        assert report.valid, [c.to_dict() for c in report.failures]


@pytest.mark.django_db
def test_revoked_key_keeps_what_it_signed_before_the_compromise(client, w):
    with override_settings(SITE_URL="https://badges.example.org"):
        badge = services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **BADGE_FIELDS,
        )
        award = services.award_create(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            recipient_email="early@example.org",
            issued_at=timezone.now() - timedelta(days=10),
        )
        key = award.signing_key
        with pytest.raises(PermissionDenied):
            services.signing_key_revoke(
                actor=w.members[Role.AWARDER], key=key, compromised_at=timezone.now()
            )
        # Compromised after the award was signed: the award keeps verifying.
        services.signing_key_revoke(
            actor=w.members[Role.ADMIN],
            key=key,
            compromised_at=timezone.now(),
            reason="Laptop stolen",
        )
        profile = w.organisation.issuer_profile
        document = client.get(f"/issuers/{profile.public_id}/did.json").json()
        assert f"{document['id']}#key-1" not in document["assertionMethod"]
        assert f"{document['id']}#key-2" in document["assertionMethod"]
        assert document["verificationMethod"][0]["revoked"]
        # Our award page weighs the compromise date: signed before it, still valid.
        assert hosted.verification_report(award).valid
        # A generic did:web verifier no longer accepts key-1 at all.
        report = verify(bytes(award.credential_json).decode(), fetcher=ClientFetcher(client))
        assert report.check("issuer.key").outcome == "failed"
        # The compromise turns out to be older than the signature: refused on our page too.
        services.signing_key_revoke(
            actor=w.members[Role.ADMIN], key=key, compromised_at=timezone.now() - timedelta(days=1)
        )
        award.refresh_from_db()
        report = hosted.verification_report(award)
        assert not report.valid
        assert report.check("issuer.key").outcome == "failed"
        fresh = services.award_create(
            actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="new@example.org"
        )
        assert fresh.signing_key.key_id == "key-2"
        assert verify(bytes(fresh.credential_json).decode(), fetcher=ClientFetcher(client)).valid
