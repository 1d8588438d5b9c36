"""The public URLs and identifiers of issued documents, built from settings.SITE_URL.

These URLs are published inside signed credentials and must stay valid forever; the paths here
and in issuing/urls.py change together or not at all (docs/issuing.md lists them).

Issuer identity: with a domain-name https SITE_URL the issuer is a did:web
(`did:web:badges.example.org:issuers:<id>`, its DID document at `/issuers/<id>/did.json`) and
keys are its verification methods `…#key-1`. did:web cannot name an IP address or localhost,
so a local site (the default http://127.0.0.1:8000) uses the profile URL as issuer id and
names each key by its Multikey in the fragment (`…/issuers/<id>#z6Mk…`), which verifiers
resolve without fetching (the form of the OB 3.0 test vector).
"""

from django.conf import settings

from openbadges import did
from openbadges.multikey import encode_public_multikey


def site() -> str:
    return settings.SITE_URL.rstrip("/")


def issuer_url(profile_public_id) -> str:
    return f"{site()}/issuers/{profile_public_id}"


def issuer_did(profile_public_id) -> str | None:
    """The issuer's did:web, or None when the site's host cannot carry one."""
    try:
        return did.did_web_for(issuer_url(profile_public_id))
    except did.InvalidDid:
        return None


def issuer_id(profile_public_id) -> str:
    return issuer_did(profile_public_id) or issuer_url(profile_public_id)


def verification_method(profile_public_id, key_id: str, public_key) -> str:
    """The id proofs name the key by (Data Integrity `verificationMethod`)."""
    did_web = issuer_did(profile_public_id)
    if did_web:
        return did.verification_method_id(did_web, key_id)
    return f"{issuer_url(profile_public_id)}#{encode_public_multikey(public_key)}"


def jwt_kid(profile_public_id, managed_key) -> str:
    """The `kid` of VC-JWTs: the key's JsonWebKey method under did:web, else as for proofs."""
    did_web = issuer_did(profile_public_id)
    if did_web:
        return did.jwt_kid(did_web, managed_key)
    return verification_method(profile_public_id, managed_key.key_id, managed_key.public_key)


def did_document_url(profile_public_id) -> str:
    return f"{issuer_url(profile_public_id)}/did.json"


def jwks_url(profile_public_id) -> str:
    return f"{issuer_url(profile_public_id)}/jwks.json"


def issuer_image_url(profile_public_id) -> str:
    return f"{issuer_url(profile_public_id)}/image"


def revocation_list_url(profile_public_id) -> str:
    return f"{issuer_url(profile_public_id)}/revocations"


def status_list_url(profile_public_id, list_public_id) -> str:
    return f"{issuer_url(profile_public_id)}/status/{list_public_id}"


def badge_url(badge_class_public_id) -> str:
    return f"{site()}/badges/{badge_class_public_id}"


def badge_version_url(badge_class_public_id, number: int) -> str:
    """The id of one version: the OB 3.0 Achievement and the OB 2.0 BadgeClass."""
    return f"{badge_url(badge_class_public_id)}?v={number}"


def badge_image_url(badge_class_public_id, number: int) -> str:
    return f"{badge_url(badge_class_public_id)}/image?v={number}"


def credential_url(award_public_id) -> str:
    return f"{site()}/credentials/{award_public_id}"


def assertion_url(award_public_id) -> str:
    return f"{site()}/assertions/{award_public_id}"


def award_page_url(award_public_id) -> str:
    return f"{site()}/awards/{award_public_id}"
