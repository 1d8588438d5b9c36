"""`{% learner_evidence badge as evidence %}` for the passport badge pages
(`passport/_evidence_slot.html`): the learner's evidence on that badge as the current viewer may
see it, with file and thumbnail addresses that this viewer is allowed to open, and for the owner
what can still be attached."""

from django import template
from django.urls import reverse

from .. import selectors
from ..forms import UploadForm

register = template.Library()


def _share_token(context) -> str | None:
    token = context.get("share_token")
    if token:
        return token
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and "token" in match.kwargs:
        return match.kwargs["token"]
    return None


def _addresses(item, *, badge, owner: bool, token: str | None) -> dict:
    if item.is_link:
        return {"item": item, "open_url": item.url, "thumb_url": ""}
    if owner:
        names, args = ("evidence:file", "evidence:thumbnail"), [item.public_id]
    elif token:
        names, args = ("evidence:shared_file", "evidence:shared_thumbnail"), [token, item.public_id]
    else:
        names = ("evidence:badge_file", "evidence:badge_thumbnail")
        args = [badge.public_id, item.public_id]
    return {
        "item": item,
        "open_url": reverse(names[0], args=args),
        "thumb_url": reverse(names[1], args=args) if item.has_thumbnail else "",
    }


@register.simple_tag(takes_context=True)
def learner_evidence(context, badge) -> dict:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    token = _share_token(context)
    owner = (
        token is None and getattr(viewer, "is_authenticated", False) and viewer.pk == badge.owner_id
    )
    items = selectors.learner_evidence_for_badge(viewer=viewer, badge=badge)
    result = {
        "owner": owner,
        "entries": [_addresses(item, badge=badge, owner=owner, token=token) for item in items],
    }
    if owner:
        result["attachable"] = list(selectors.evidence_attachable(user=viewer, badge=badge))
        result["usage"] = selectors.evidence_quota_for(user=viewer)
        result["upload_form"] = UploadForm(auto_id="id_evidence_%s")
    return result
