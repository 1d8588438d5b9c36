"""Periodic re-verification: badges whose last check is older than N days are verified again
in batches, so a badge revoked or expired since it was imported (or awarded) is flagged.

`passport_reverify_due` picks the due badges (never checked, or checked before the cutoff),
oldest first, and enqueues one `passport_reverify_batch` task per batch of ids. Each task
reloads its badges and stores the new result; a badge deleted meanwhile is skipped, and
running a batch twice only checks the badges twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from .models import BadgeState, PassportBadge

logger = logging.getLogger(__name__)

DEFAULT_AGE_DAYS = 7
DEFAULT_BATCH_SIZE = 50


def due_badge_ids(*, older_than_days: int = DEFAULT_AGE_DAYS, limit: int | None = None) -> list:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    due = (
        PassportBadge.objects.exclude(state=BadgeState.DECLINED)
        .filter(Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff))
        .order_by("verified_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(due[:limit] if limit else due)


def reverify_badges(badge_ids: list[int]) -> dict[str, int]:
    """Verify these badges again now; returns how many ended in each status."""
    from . import importing

    counts: dict[str, int] = {}
    badges = PassportBadge.objects.select_related("award").filter(pk__in=badge_ids)
    for badge in badges:
        try:
            badge = importing.reverify(badge)
        except Exception:
            # One broken badge must not stop the batch; the next run tries it again.
            logger.exception("Re-verification of passport badge %s failed", badge.pk)
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        counts[badge.verification_status] = counts.get(badge.verification_status, 0) + 1
    return counts


@task
def passport_reverify_batch(*, badge_ids: list[int]) -> dict[str, int]:
    return reverify_badges(badge_ids)


def passport_reverify_due(
    *,
    older_than_days: int = DEFAULT_AGE_DAYS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    limit: int | None = None,
) -> int:
    """Enqueue the due badges in batches; returns how many badges were enqueued."""
    ids = due_badge_ids(older_than_days=older_than_days, limit=limit)
    for start in range(0, len(ids), batch_size):
        passport_reverify_batch.enqueue(badge_ids=ids[start : start + batch_size])
    return len(ids)
