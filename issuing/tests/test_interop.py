"""Awards made by the platform verify with independent libraries: Digital Bazaar's Data
Integrity and Bitstring Status List libraries, and jose for the VC-JWT (interop/README.md).

One node run for the module: valid and revoked awards, with the issuer's did:web document and
the signed status list served to the offline document loader by URL, as the endpoints serve
them.
"""

from urllib.parse import urlsplit

import orjson
import pytest
from django.test import override_settings

from accounts.models import Role
from issuing import services
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch

from .conftest import BADGE_FIELDS, png_bytes

pytestmark = requires_node
SITE = "https://badges.example.org"


def served(client, url):
    parts = urlsplit(url)
    response = client.get(parts.path)
    assert response.status_code == 200, url
    return response.json()


@pytest.fixture
def verdicts(client, w):
    with override_settings(SITE_URL=SITE):
        badge = services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **BADGE_FIELDS,
        )
        awarder = w.members[Role.AWARDER]
        valid = services.award_create(
            actor=awarder,
            badge_class=badge,
            recipient_email="valid@example.org",
            narrative="Ran four sessions.",
        )
        evidence = services.award_create(
            actor=awarder,
            badge_class=badge,
            recipient_email="evidence@example.org",
            evidence=[{"url": "https://portfolio.example.org/e", "name": "Portfolio"}],
        )
        revoked = services.award_create(
            actor=awarder, badge_class=badge, recipient_email="revoked@example.org"
        )
        services.award_revoke(actor=awarder, award=revoked, reason="Issued in error")
        profile = w.organisation.issuer_profile
        did_document = served(client, f"{SITE}/issuers/{profile.public_id}/did.json")
        awards = {"valid": valid, "evidence": evidence, "revoked": revoked}
        jobs = []
        for award in awards.values():
            credential = orjson.loads(bytes(award.credential_json))
            list_url = credential["credentialStatus"]["statusListCredential"]
            documents = {did_document["id"]: did_document, list_url: served(client, list_url)}
            jobs.append({"op": "verify-di", "credential": credential, "documents": documents})
            token = client.get(f"/credentials/{award.public_id}.jwt").content.decode()
            jobs.append({"op": "verify-jwt", "token": token, "documents": documents})
        results = run_batch(jobs)
    return {
        (name, kind): result
        for (name, kind), result in zip(
            [(name, kind) for name in awards for kind in ("di", "jwt")], results, strict=True
        )
    }


def test_independent_libraries_verify_awards_and_see_revocation(verdicts):
    for name in ("valid", "evidence"):
        for kind in ("di", "jwt"):
            result = verdicts[(name, kind)]
            assert result["verified"], (name, kind, error_text(result))
    for kind in ("di", "jwt"):
        result = verdicts[("revoked", kind)]
        assert not result["verified"]
        assert "CredentialRevoked" in [error["name"] for error in result["errors"]], error_text(
            result
        )
