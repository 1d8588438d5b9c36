"""Machine-facing endpoints: the hosted Open Badges documents, keys, status lists and baked
images, plus the minimal HTML pages people reach through the same URLs.

Stored documents are served byte for byte with a strong ETag (304 on a match) and CORS open to
every origin. What can never change (a credential, a version's image, a baked image) is cached
as immutable; what revocation or an issuer edit can change is cached briefly. URLs that serve
both people and machines negotiate on Accept (`Vary: Accept`): a browser asking for HTML gets
the page, everything else JSON; `?format=json` forces JSON.
"""

import hashlib

import orjson
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from openbadges import baking, did, ob2
from openbadges import status as ob_status
from openbadges.keys import jwks as jwk_set
from openbadges.keys import public_jwk
from openbadges.verify import ResolvedKey, verify

from . import documents, evidence, links, selectors, services, signing
from .fetcher import SiteFetcher
from .markdown_design import render_markdown
from .verification import check_rows

YEAR = 365 * 24 * 3600
SHORT = 300
STATUS_MAX_AGE = 60
OB3_MEDIA_TYPE = "application/vc+ld+json"
JSON_LD = "application/ld+json"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def wants_html(request) -> bool:
    """Whether the client prefers HTML to JSON (browsers do; verifiers and curl do not)."""
    if "format" in request.GET or "v3" in request.GET:
        return False
    html_q = json_q = 0.0
    for item in request.headers.get("Accept", "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in _HTML_TYPES:
            html_q = max(html_q, quality)
        elif media.startswith("application/") and "json" in media:
            json_q = max(json_q, quality)
    return html_q > 0 and html_q > json_q


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def document_response(
    request,
    body: bytes,
    content_type: str,
    *,
    max_age: int,
    immutable: bool = False,
    negotiated: bool = False,
    etag_source: bytes | None = None,
    filename: str | None = None,
) -> HttpResponse:
    etag = _etag(etag_source if etag_source is not None else body)
    cache = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    matches = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in matches or "*" in matches:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = cache
    if negotiated:
        response["Vary"] = "Accept"
    return _cors(response)


def _json(document) -> bytes:
    return orjson.dumps(document)


# -- awards ------------------------------------------------------------------------------------


@require_safe
def credential(request, public_id):
    award = selectors.award_public(public_id)
    if wants_html(request):
        response = redirect("issuing:award_detail", public_id=award.public_id)
        response["Vary"] = "Accept"
        return response
    return document_response(
        request,
        bytes(award.credential_json),
        OB3_MEDIA_TYPE,
        max_age=YEAR,
        immutable=True,
        negotiated=True,
    )


@require_safe
def credential_jwt(request, public_id):
    award = selectors.award_public(public_id)
    # OB 3.0 delivers a compact JWS as text/plain when it is a web resource.
    return document_response(
        request,
        services.award_vc_jwt(award=award).encode("ascii"),
        "text/plain; charset=utf-8",
        max_age=YEAR,
        immutable=True,
    )


@require_safe
def assertion(request, public_id):
    award = selectors.award_public(public_id)
    if wants_html(request):
        response = redirect("issuing:award_detail", public_id=award.public_id)
        response["Vary"] = "Accept"
        return response
    if award.is_revoked:
        body = {
            "@context": ob2.CONTEXT,
            "id": links.assertion_url(award.public_id),
            "revoked": True,
            "revocationReason": award.revocation_reason,
        }
        response = HttpResponse(_json(body), content_type=JSON_LD, status=410)
        response["Cache-Control"] = f"public, max-age={SHORT}"
        response["Vary"] = "Accept"
        return _cors(response)
    return document_response(
        request, bytes(award.assertion_json), JSON_LD, max_age=SHORT, negotiated=True
    )


def _baked(request, public_id, kind: str):
    award = selectors.award_public(public_id)
    version = award.badge_class_version
    wanted = "image/png" if kind == "png" else "image/svg+xml"
    if version.image_type != wanted:
        raise Http404(_("This badge's image is not available in that format."))
    with version.image.open("rb") as handle:
        image = handle.read()
    payload = bytes(award.credential_json)
    baked = baking.bake(image, payload.decode("utf-8"), ob3=True)
    slug = "".join(c if c.isalnum() else "-" for c in version.name.lower()).strip("-") or "badge"
    return document_response(
        request,
        baked,
        wanted,
        max_age=YEAR,
        immutable=True,
        # The baked bytes follow from the credential and the image: hash those, not the result,
        # so that a 304 needs no baking.
        etag_source=payload + version.image.name.encode(),
        filename=f"{slug}.{kind}",
    )


@require_safe
def baked_png(request, public_id):
    return _baked(request, public_id, "png")


@require_safe
def baked_svg(request, public_id):
    return _baked(request, public_id, "svg")


def key_resolver(profile):
    """Our own keys with their lifecycle, for verifying our badges on our pages: a revoked
    key still verifies what it signed before its compromise (generic did:web verifiers refuse
    it altogether, since the DID document no longer lists it as an assertion method)."""
    issuer_id = links.issuer_id(profile.public_id)
    known = {}
    for key in selectors.published_keys(profile):
        managed = signing.managed_key(key)
        resolved = ResolvedKey(managed.public_key, controller=issuer_id, managed=managed)
        known[key.verification_method] = resolved
        known[links.jwt_kid(profile.public_id, managed)] = resolved
    return known.get


def verification_report(award):
    """The live verification of the stored credential, with our own documents answered in
    process (status list) and our keys known with their lifecycle."""
    return verify(
        bytes(award.credential_json).decode("utf-8"),
        fetcher=SiteFetcher(),
        key_resolver=key_resolver(award.organisation.issuer_profile),
    )


@require_safe
def award_detail(request, public_id):
    award = selectors.award_public(public_id)
    version = award.badge_class_version
    report = verification_report(award)
    language = getattr(request, "LANGUAGE_CODE", None)
    context = {
        "award": award,
        "version": version,
        "badge_name": version.translated("name", language),
        "badge_description": version.translated("description", language),
        "issuer": award.organisation.issuer_profile,
        "report": report,
        "checks": check_rows(report),
        "narrative": render_markdown(award.narrative) if award.narrative else "",
        "evidence_entries": evidence.evidence_entries(award) if award.evidence else [],
        "image_url": reverse(
            "issuing:badge_image", kwargs={"public_id": award.badge_class.public_id}
        )
        + f"?v={version.number}",
    }
    return render(request, "issuing/award_detail.html", context)


# Evidence files are someone's work, uploaded by an issuer and opened by anyone with the link:
# nothing in them may run on this site's origin. Images and videos are shown in the browser;
# everything else is downloaded. `sandbox` makes even a document opened inline an opaque origin.
EVIDENCE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


@require_safe
def evidence_file(request, public_id, filename):
    item = evidence.evidence_file_public(public_id)
    if item is None:
        raise Http404(_("There is no such evidence file."))
    if filename != item.filename:
        return redirect("issuing:evidence_file", public_id=item.public_id, filename=item.filename)
    etag = f'"{item.sha256[:40]}"'
    matches = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in matches or "*" in matches:
        response = HttpResponseNotModified()
    else:
        inline = item.is_image or item.is_video
        response = FileResponse(
            item.file.open("rb"),
            content_type=item.content_type,
            as_attachment=not inline,
            filename=item.filename,
        )
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = EVIDENCE_CSP
    return _cors(response)


# -- badge classes -----------------------------------------------------------------------------


@require_safe
def badge(request, public_id):
    badge_class = selectors.badge_class_public(public_id)
    version = selectors.badge_class_version_public(badge_class, request.GET.get("v"))
    if wants_html(request):
        language = getattr(request, "LANGUAGE_CODE", None)
        response = render(
            request,
            "issuing/badge_detail.html",
            {
                "badge_class": badge_class,
                "version": version,
                "badge_name": version.translated("name", language),
                "badge_description": version.translated("description", language),
                "criteria": render_markdown(version.translated("criteria_narrative", language)),
                "issuer": badge_class.organisation.issuer_profile,
                "alignments": version.alignments,
                "eqf_url": documents.EQF_CONCEPT.format(level=version.eqf_level)
                if version.eqf_level
                else "",
                "micro": version.microcredential,
                "holders": selectors.badge_class_holders(badge_class),
                "is_current": version.pk == badge_class.current_version_id,
                "image_url": links.badge_image_url(badge_class.public_id, version.number),
                "page_url": links.badge_url(badge_class.public_id),
            },
        )
        response["Vary"] = "Accept"
        return response
    if "v3" in request.GET:
        body = _json(documents.ob3_achievement_document(version))
        content_type = JSON_LD
    else:
        body = _json(documents.ob2_badge_class_document(version))
        content_type = JSON_LD
    return document_response(request, body, content_type, max_age=SHORT, negotiated=True)


@require_safe
def badge_image(request, public_id):
    badge_class = selectors.badge_class_public(public_id)
    version = selectors.badge_class_version_public(badge_class, request.GET.get("v"))
    with version.image.open("rb") as handle:
        data = handle.read()
    pinned = bool(request.GET.get("v"))
    response = document_response(
        request,
        data,
        version.image_type,
        max_age=YEAR if pinned else SHORT,
        immutable=pinned,
    )
    if version.image_type == "image/svg+xml":
        # An SVG opened directly must not run anything, whatever it contains.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# -- issuers -----------------------------------------------------------------------------------


@require_safe
def issuer(request, public_id):
    profile = selectors.issuer_profile_public(public_id)
    if wants_html(request):
        language = getattr(request, "LANGUAGE_CODE", None)
        badge_classes = list(selectors.public_badge_classes(profile))
        totals = selectors.issuer_totals(profile, [badge.pk for badge in badge_classes])
        none = {"awarded": 0, "holders": 0}
        response = render(
            request,
            "issuing/issuer_detail.html",
            {
                "issuer": profile,
                "badge_classes": [
                    {
                        "public_id": badge_class.public_id,
                        "name": badge_class.current_version.translated("name", language),
                        "description": badge_class.current_version.translated(
                            "description", language
                        ),
                        "image_url": links.badge_image_url(
                            badge_class.public_id, badge_class.current_version.number
                        ),
                        **totals.per_class.get(badge_class.pk, none),
                    }
                    for badge_class in badge_classes
                ],
                "totals": totals,
                "page_url": links.issuer_url(profile.public_id),
                "image_url": links.issuer_image_url(profile.public_id) if profile.image else "",
            },
        )
        response["Vary"] = "Accept"
        return response
    if "v3" in request.GET:
        document = documents.ob3_profile_document(profile)
    else:
        document = documents.ob2_issuer_document(profile)
    return document_response(request, _json(document), JSON_LD, max_age=SHORT, negotiated=True)


@require_safe
def issuer_image(request, public_id):
    profile = selectors.issuer_profile_public(public_id)
    if not profile.image:
        raise Http404(_("This issuer has no image."))
    with profile.image.open("rb") as handle:
        data = handle.read()
    content_type = "image/svg+xml" if baking.image_type(data) == "svg" else "image/png"
    return document_response(request, data, content_type, max_age=SHORT)


@require_safe
def did_document(request, public_id):
    profile = selectors.issuer_profile_public(public_id)
    did_web = links.issuer_did(profile.public_id)
    if did_web is None:
        raise Http404(_("This site's address cannot carry a did:web."))
    keys = [signing.managed_key(key) for key in selectors.published_keys(profile)]
    document = did.did_web_document(did_web, keys)
    return document_response(request, _json(document), "application/did+json", max_age=SHORT)


@require_safe
def jwks(request, public_id):
    profile = selectors.issuer_profile_public(public_id)
    keys = [signing.managed_key(key) for key in selectors.published_keys(profile)]
    did_web = links.issuer_did(profile.public_id)
    if did_web is not None:
        document = did.did_web_jwks(did_web, keys)
    else:
        document = jwk_set(
            public_jwk(key.public_key, kid=links.jwt_kid(profile.public_id, key))
            for key in keys
            if key.status != "revoked"
        )
    return document_response(request, _json(document), "application/jwk-set+json", max_age=SHORT)


@require_safe
def revocations(request, public_id):
    profile = selectors.issuer_profile_public(public_id)
    document = ob_status.ob2_revocation_list_document(
        id=links.revocation_list_url(profile.public_id),
        issuer=links.issuer_url(profile.public_id),
        revoked=(
            (links.assertion_url(award_id), reason or None)
            for award_id, reason in selectors.revoked_assertions(profile)
        ),
    )
    return document_response(request, _json(document), JSON_LD, max_age=STATUS_MAX_AGE)


@require_safe
def status_list(request, public_id, list_id):
    profile = selectors.issuer_profile_public(public_id)
    listed = selectors.status_list_public(profile, list_id)
    body = services.status_list_signed(status_list=listed)
    return document_response(request, body, OB3_MEDIA_TYPE, max_age=STATUS_MAX_AGE)
