"""Plain-language, translated explanations of a verification report's checks.

The `openbadges` library is Django-free and writes its details in English. A person reads each
check under its translated name (`issuing.verification.CHECK_LABELS`) with a translated sentence
chosen by the check's stable code (for failures and warnings) or by its id and outcome; the
library's English detail stays beside it as the technical record.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from issuing.verification import CHECK_LABELS

# What a failure or warning means, by the library's stable code.
CODE_EXPLANATIONS = {
    "input.json": _("The text is not valid JSON."),
    "input.jws": _("The JWT is malformed."),
    "input.empty": _("Nothing was given to verify."),
    "input.unknown": _(
        "This is not a badge: give a baked PNG or SVG image, the badge's JSON, a JWT or its "
        "web address."
    ),
    "input.type": _("The document is neither an Open Badges 3.0 credential nor a 2.0 assertion."),
    "input.context": _("The credential does not start with the Verifiable Credentials context."),
    "baking.no_badge": _("The image does not contain a badge."),
    "baking.multiple_badges": _("The image contains more than one badge, which is not allowed."),
    "baking.not_image": _("The file is not a PNG or SVG image."),
    "baking.too_large": _("The image is too large to be read."),
    "baking.decompression_bomb": _("The image expands to far more data than a badge can hold."),
    "baking.truncated": _("The image file is incomplete."),
    "baking.crc": _("The image file is damaged."),
    "baking.chunk_invalid": _("The image file is damaged."),
    "baking.payload_invalid": _("The badge inside the image cannot be read."),
    "baking.xml_invalid": _("The SVG image is not well-formed XML."),
    "baking.xml_entities": _("The SVG image declares entities, which are refused for safety."),
    "baking.xml_dtd": _("The SVG image declares a document type, which is refused for safety."),
    "baking.svg_too_deep": _("The SVG image is nested too deeply."),
    "baking.svg_encoding": _("The SVG image is not UTF-8 text."),
    "proof.missing": _("The badge carries no signature."),
    "proof.invalid": _(
        "The signature does not match the badge: it was changed after it was signed, or signed "
        "with another key."
    ),
    "proof.malformed": _("The signature is malformed."),
    "proof.key_type": _("The signature uses a key of the wrong type."),
    "jws.signature": _("The signature does not match the badge."),
    "jws.verification": _("The signature does not match the badge."),
    "jws.algorithm": _("The signature uses an algorithm that is not accepted."),
    "jws.header": _("The signature's header is malformed."),
    "jws.payload": _("The signed content is malformed."),
    "jwt.algorithm": _("The JWT uses an algorithm that is not accepted (for example none)."),
    "jwt.claims": _("The JWT's claims contradict the credential."),
    "jwt.key": _("The JWT's signing key could not be used."),
    "jwt.key_provenance": _("The JWT's signing key does not belong to the issuer."),
    "jwt.malformed": _("The JWT is malformed."),
    "key.not_found": _("The issuer's signing key could not be found."),
    "key.unresolved": _("The issuer's signing key could not be found."),
    "key.revoked": _("The issuer's signing key was revoked before this badge was signed."),
    "key.revocation_date": _("The issuer's signing key was revoked before this badge was signed."),
    "key.not_authorised": _("The signing key is not authorised to sign for this issuer."),
    "key.controller": _("The signing key belongs to someone other than the issuer."),
    "key.mismatch": _("The signing key does not match the issuer's."),
    "key.malformed": _("The issuer's signing key is malformed."),
    "key.unsupported_algorithm": _("The issuer's signing key uses an unsupported algorithm."),
    "key.did_method": _("The issuer's identifier uses an unsupported DID method."),
    "key.did_document": _("The issuer's DID document cannot be used."),
    "status.revoked": _("The issuer has revoked this badge."),
    "status.suspended": _("The issuer has suspended this badge."),
    "status.unsupported": _("The badge's status list is of a kind this verifier does not know."),
    "status.list_proof": _("The issuer's status list is not properly signed."),
    "status.list_validity": _("The issuer's status list is out of date."),
    "validity.expired": _("The badge has expired."),
    "validity.not_yet_valid": _("The badge is not valid yet."),
    "recipient.mismatch": _("The badge was not issued to the address given."),
    "recipient.malformed_hash": _("The badge's recipient cannot be read."),
    "ob2.id": _("The assertion has no web address to check it against."),
    "ob2.id_mismatch": _("The issuer serves a different assertion at the badge's address."),
    "ob2.hosted_status": _("The issuer's server does not serve this badge any more."),
    "ob2.origin": _("The badge is hosted on a site its issuer does not allow."),
    "ob2.content_type": _("The issuer serves the badge with an unusual content type."),
    "ob2.assertion": _("The assertion lacks required information."),
    "ob2.badge": _("The badge class is missing or incomplete."),
    "ob2.issuer": _("The issuer's profile is missing or incomplete."),
    "schema.invalid": _("The credential does not follow the official Open Badges schema."),
    "jsonld.undefined_term": _("A property of the credential is not defined by its contexts."),
    "schema.type": _("The credential is not an Open Badges credential."),
    "schema.compacted": _(
        "The credential writes a list as a single value; JSON-LD allows this, the official "
        "schema does not."
    ),
    "refresh.failed": _("The issuer's refreshed credential could not be used."),
    "endorsement.invalid": _("An endorsement in the badge does not verify."),
    "jsonld.no_context": _("The document has no JSON-LD context."),
    "jsonld.invalid": _("A property of the credential is not defined by its contexts."),
    "jsonld.relative_iri": _("A property of the credential is not defined by its contexts."),
    "jsonld.context_not_bundled": _("The credential uses a context this verifier does not know."),
    "fetch.address_refused": _(
        "The address points into a private network, which this public verifier does not visit."
    ),
    "fetch.budget": _("Verifying this badge would need too many documents from the network."),
    "fetch.timeout": _("A document needed for the check did not arrive in time."),
    "fetch.connection": _("A server needed for the check could not be reached."),
    "fetch.unresolvable": _("A server needed for the check does not exist."),
    "fetch.too_large": _("A document needed for the check is too large."),
    "fetch.status": _("A server needed for the check answered with an error."),
    "fetch.not_json": _("A document needed for the check is not JSON."),
    "fetch.tls": _("A server needed for the check has no valid secure connection."),
    "fetch.invalid_url": _("An address in the badge is not valid."),
    "fetch.scheme_refused": _("An address in the badge is not a web address."),
    "fetch.too_many_redirects": _("A server needed for the check redirects too often."),
}

# What a passed check established, by check id.
PASSED_EXPLANATIONS = {
    "input.fetch": _("The badge was fetched from the address given."),
    "input.unbake": _("A badge was found inside the image."),
    "input.parse": _("The badge's format was recognised."),
    "hosted.fetch": _("The issuer still serves this badge at its address."),
    "ob2.assertion": _("The assertion has everything it needs."),
    "ob2.badge": _("The badge class was found and is complete."),
    "ob2.issuer": _("The issuer's profile was found."),
    "jsonld.safe_mode": _("Every property of the credential is defined."),
    "schema": _("The credential follows the official Open Badges schema."),
    "issuer.key": _("The signing key belongs to the issuer."),
    "proof": _("The signature is valid: the badge is unchanged since the issuer signed it."),
    "refresh": _("The issuer's latest version of the credential was used."),
    "hosted.origin": _("The badge is hosted where its issuer allows."),
    "status.revocation": _("The issuer has not revoked this badge."),
    "status.suspension": _("The issuer has not suspended this badge."),
    "status.message": _("The issuer's status list has a message for this badge."),
    "validity.not_before": _("The badge is already valid."),
    "validity.expiry": _("The badge has not expired."),
    "recipient": _("The badge was issued to the address given."),
    "endorsement": _("An endorsement in the badge verifies."),
    "verifier": _("The verification completed."),
}

# Fallbacks for a failure or warning whose code is unknown, by check id.
FAILED_EXPLANATIONS = {
    "input.fetch": _("The badge could not be fetched from the address given."),
    "input.unbake": _("No badge could be read from the image."),
    "input.parse": _("This is not a badge in a known format."),
    "hosted.fetch": _("The issuer does not serve this badge at its address."),
    "issuer.key": _("The issuer's signing key could not be used."),
    "proof": _("The signature does not verify."),
    "status.revocation": _("Whether the issuer revoked this badge could not be established."),
    "validity.not_before": _("The badge's issue date cannot be read."),
    "validity.expiry": _("The badge's expiry date cannot be read."),
    "recipient": _("The badge was not issued to the address given."),
    "verifier": _("The badge could not be verified."),
}

# Why a check was skipped, by check id.
SKIPPED_EXPLANATIONS = {
    "recipient": _("No email address was given to compare with."),
    "status.revocation": _("The badge names no revocation list, so it cannot be revoked."),
    "issuer.key": _("The badge carries no signature, so there is no key to look up."),
}
SKIPPED = _("Not applicable to this badge.")
WARNING = _("Worth knowing, but the badge stays valid.")
OTHER_FAILURE = _("This check failed.")
OUTCOME_LABELS = {
    "passed": _("passed"),
    "failed": _("failed"),
    "warning": _("warning"),
    "skipped": _("skipped"),
}


def explain(check) -> str:
    """A translated sentence saying what the check found."""
    if check.outcome == "passed":
        return str(PASSED_EXPLANATIONS.get(check.id, ""))
    code = check.code or ""
    if code in CODE_EXPLANATIONS:
        return str(CODE_EXPLANATIONS[code])
    family = code.split(".", 1)[0] + "." if code else ""
    if family == "fetch.":
        return str(CODE_EXPLANATIONS["fetch.connection"])
    if check.outcome == "skipped":
        return str(SKIPPED_EXPLANATIONS.get(check.id, SKIPPED))
    if check.outcome == "warning":
        return str(WARNING)
    return str(FAILED_EXPLANATIONS.get(check.id, OTHER_FAILURE))


def rows(report, *, skip: tuple[str, ...] = ()) -> list[dict]:
    """The report's checks in order, for a page: translated name, outcome and explanation,
    and the library's English detail. Checks named in `skip` are left out when skipped."""
    return [
        {
            "id": check.id,
            "code": check.code or "",
            "label": str(CHECK_LABELS.get(check.id, check.id)),
            "outcome": check.outcome,
            "outcome_label": str(OUTCOME_LABELS.get(check.outcome, check.outcome)),
            "explanation": explain(check),
            "message": check.message,
        }
        for check in report.checks
        if not (check.outcome == "skipped" and check.id in skip)
    ]
