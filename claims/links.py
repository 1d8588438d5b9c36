"""The signed confirmation link of a claim request.

The token is the request's public id signed with the site's secret (django.core.signing, with
its own salt) and a timestamp: it cannot be forged or pointed at another request, and it expires
after CLAIM_LINK_MAX_AGE seconds (default two days). It is single-use by state, not by
secrecy: once the request is accepted, the link only shows the badge it gave.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "claims.confirm"


def max_age() -> int:
    return int(getattr(settings, "CLAIM_LINK_MAX_AGE", 2 * 24 * 3600))


def make_token(claim_request) -> str:
    return signing.dumps(str(claim_request.public_id), salt=SALT, compress=False)


def read_token(token: str) -> str:
    """The request's public id; raises signing.SignatureExpired or signing.BadSignature."""
    return signing.loads(token, salt=SALT, max_age=max_age())


def confirm_url(claim_request) -> str:
    path = reverse("claims:confirm", kwargs={"token": make_token(claim_request)})
    return settings.SITE_URL.rstrip("/") + path


def claim_url(claimable) -> str:
    path = reverse("claims:claim", kwargs={"public_id": claimable.public_id})
    return settings.SITE_URL.rstrip("/") + path
