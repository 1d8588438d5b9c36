"""Every read of evidence, scoped to what the viewer may see.

The owner sees their whole library. Anybody else sees an item only through a passport badge it
is attached to, and only while `passport.selectors.passport_badge_visible` lets them see that
badge (by its id or its share link) and `evidence_visible` lets them see its evidence. Anything
else answers 404.
"""

from django.db.models import Count, QuerySet
from django.http import Http404

from passport.selectors import evidence_visible, passport_badge_visible

from . import conf
from .models import BadgeEvidence, EvidenceItem
from .services import evidence_usage


def evidence_for_owner(*, user) -> QuerySet:
    """The user's library, newest first, with how many badges each item is attached to."""
    if not getattr(user, "is_authenticated", False):
        return EvidenceItem.objects.none()
    return EvidenceItem.objects.filter(owner=user).annotate(attachment_count=Count("attachments"))


def evidence_get_for_owner(*, user, public_id) -> EvidenceItem:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    item = EvidenceItem.objects.filter(owner=user, public_id=public_id).first()
    if item is None:
        raise Http404
    return item


def evidence_quota_for(*, user) -> dict:
    """Used and allowed bytes, and the share used in percent (for the usage bar)."""
    used = evidence_usage(user=user)
    quota = conf.quota_bytes()
    return {
        "used": used,
        "quota": quota,
        "available": max(quota - used, 0),
        "percent": min(100, round(used * 100 / quota)) if quota else 100,
        "max_file": conf.max_file_bytes(),
        "max_video": conf.max_video_bytes(),
    }


def evidence_badges_of(*, user, evidence: EvidenceItem) -> list:
    """The owner's passport badges this item is attached to (named before deleting it)."""
    return [
        attachment.badge
        for attachment in BadgeEvidence.objects.filter(
            evidence=evidence, badge__owner=user
        ).select_related("badge")
    ]


def learner_evidence_for_badge(*, viewer, badge) -> list[EvidenceItem]:
    """The learner's evidence on a badge the viewer already may see; empty when hidden."""
    if not evidence_visible(viewer=viewer, badge=badge):
        return []
    return [
        attachment.evidence
        for attachment in BadgeEvidence.objects.filter(badge=badge).select_related("evidence")
    ]


def evidence_attachable(*, user, badge) -> QuerySet:
    """The owner's items not yet attached to this badge."""
    return (
        EvidenceItem.objects.filter(owner=user)
        .exclude(attachments__badge=badge)
        .order_by("title", "id")
    )


def evidence_for_viewer(
    *, viewer, public_id, badge_public_id=None, share_token=None
) -> EvidenceItem:
    """An item the viewer may open: their own, or one attached to a badge they may see (named by
    its id or share token) whose evidence is not hidden from them; else 404."""
    if badge_public_id is None and share_token is None:
        return evidence_get_for_owner(user=viewer, public_id=public_id)
    badge = passport_badge_visible(
        viewer=viewer, public_id=badge_public_id, share_token=share_token
    )
    if not evidence_visible(viewer=viewer, badge=badge):
        raise Http404
    attachment = (
        BadgeEvidence.objects.filter(badge=badge, evidence__public_id=public_id)
        .select_related("evidence")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment.evidence
