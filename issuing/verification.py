"""People-facing names for the checks of an `openbadges.verify` report.

The library is Django-free and speaks English; pages show each check under a translated name
taken from its stable id, with the library's detail message beside it.
"""

from django.utils.translation import gettext_lazy as _

CHECK_LABELS = {
    "input.fetch": _("Badge fetched from its address"),
    "input.unbake": _("Badge read from the image"),
    "input.parse": _("Badge format recognised"),
    "hosted.fetch": _("Hosted assertion available"),
    "ob2.assertion": _("Assertion complete"),
    "ob2.badge": _("Badge class available"),
    "ob2.issuer": _("Issuer profile available"),
    "jsonld.safe_mode": _("Every property defined"),
    "schema": _("Official JSON Schema"),
    "issuer.key": _("Issuer's signing key"),
    "proof": _("Signature"),
    "refresh": _("Refreshed credential"),
    "hosted.origin": _("Hosted by its issuer"),
    "status.revocation": _("Not revoked"),
    "status.suspension": _("Not suspended"),
    "status.message": _("Status message"),
    "validity.not_before": _("Already valid"),
    "validity.expiry": _("Not expired"),
    "recipient": _("Recipient"),
    "endorsement": _("Endorsement"),
    "verifier": _("Verification completed"),
}


def check_rows(report) -> list[dict]:
    """The report's checks in order, each with a translated name (the id when unknown)."""
    return [
        {
            "id": check.id,
            "label": CHECK_LABELS.get(check.id, check.id),
            "outcome": check.outcome,
            "message": check.message,
        }
        for check in report.checks
    ]
