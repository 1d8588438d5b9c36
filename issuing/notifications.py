"""Recipient notifications: the email that tells someone they received a badge.

Writes and reads around `notifications.models.AwardNotification` (one record per award):

- `award_notifications_enqueue(award_ids, language=…, languages=…)` queues the emails inside the
  caller's transaction and sends them in batches of `BATCH_SIZE` once it commits. Awards to a
  URL or telephone identity, demo awards, revoked awards and everything when the
  AWARD_NOTIFICATIONS setting is off get no email. Calling it again for the same awards is
  harmless: it only updates the language of emails not sent yet.
- `award_notifications_cancel(actor=…, award_ids=…)` stops emails not sent yet (imports).
- `award_notifications_send(award_ids=…)` is what the task runs: one mail connection for the
  batch, each email rendered in its recipient's language, each outcome recorded.
- `notification_status_for_awards(actor=…, organisation=…, award_ids=…)` tells the issuer's
  staff what became of each email, failures with the server's reply.

The recipient's language is, in order: the one chosen when the award was made, the language of
the recipient's account (a verified address equal to the award's), the badge's own language,
the site default.

Retries follow the email policy of `badgeeurope.tasks` (attempts, delays, which refusals are
permanent), counted per recipient.
"""

import contextlib
import datetime
import email.message
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import has_permission
from accounts.roles import AWARD_BADGES
from audit.services import audit_record
from badgeeurope.tasks import email_retry_delay, is_permanent_email_failure
from notifications.models import AwardNotification, NotificationStatus

from . import links
from .models import Award, AwardSource, IdentityType

logger = logging.getLogger(__name__)

# Emails per task and per mail connection: a bulk award of 1,000 rows makes ten tasks.
BATCH_SIZE = 100
# A batch being sent holds its records this long; a worker that dies mid-batch leaves the
# rest due again afterwards (see `award_notifications_dispatch_due`).
CLAIM_LEASE = datetime.timedelta(minutes=15)
LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
TEMPLATE_DIR = "issuing/notify"


# -- languages -------------------------------------------------------------------------------


def supported_language(code: str | None) -> str:
    """`code` as one of the site's languages ("de-AT" → "de"), or "" when it is not one."""
    code = (code or "").strip().replace("_", "-").lower()
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def _account_languages(addresses: Iterable[str]) -> dict[str, str]:
    """Preferred language of the accounts holding these verified addresses, by lower-case
    address; an address stands for its owner only once verified."""
    addresses = {address.lower() for address in addresses}
    if not addresses:
        return {}
    rows = (
        EmailAddress.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses, verified=True)
        .exclude(user__language="")
        .values_list("address", "user__language")
    )
    return {address: language for address, language in rows}


def recipient_language(notification: AwardNotification, account_languages: dict[str, str]) -> str:
    award = notification.award
    for candidate in (
        notification.language,
        account_languages.get(award.recipient_identity.lower()),
        award.badge_class_version.language,
    ):
        language = supported_language(candidate)
        if language:
            return language
    return supported_language(settings.LANGUAGE_CODE) or "en"


# -- queueing ---------------------------------------------------------------------------------


def _notifiable(award_ids: list[int]) -> list[int]:
    return list(
        Award.objects.filter(pk__in=award_ids, recipient_type=IdentityType.EMAIL, revoked_at=None)
        .exclude(source=AwardSource.DEMO)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def award_notifications_enqueue(
    award_ids: Iterable[int],
    *,
    language: str = "",
    languages: dict[int, str] | None = None,
) -> int:
    """Queue the recipient emails of these awards (database ids) and send them in batches once
    the current transaction commits. `language` applies to all, `languages` (award id →
    language code) to some; unknown codes are ignored. Returns how many emails are queued."""
    if not settings.AWARD_NOTIFICATIONS:
        return 0
    award_ids = list(dict.fromkeys(award_ids))
    ids = _notifiable(award_ids)
    if not ids:
        return 0
    chosen = {award_id: supported_language(language) for award_id in ids}
    for award_id, code in (languages or {}).items():
        if award_id in chosen:
            chosen[award_id] = supported_language(code) or chosen[award_id]
    with transaction.atomic():
        AwardNotification.objects.bulk_create(
            [AwardNotification(award_id=award_id, language=chosen[award_id]) for award_id in ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        # Records that existed already (a second call, e.g. the award form naming the
        # language after the award service queued the email) take the language given now.
        by_language: dict[str, list[int]] = defaultdict(list)
        for award_id, code in chosen.items():
            if code:
                by_language[code].append(award_id)
        for code, some_ids in by_language.items():
            AwardNotification.objects.filter(
                award_id__in=some_ids, status=NotificationStatus.QUEUED, attempts=0
            ).update(language=code, updated_at=timezone.now())
        queued = list(
            AwardNotification.objects.filter(
                award_id__in=ids, status=NotificationStatus.QUEUED
            ).values_list("award_id", flat=True)
        )
        for start in range(0, len(queued), BATCH_SIZE):
            batch = queued[start : start + BATCH_SIZE]
            transaction.on_commit(lambda batch=batch: _dispatch(batch))
    return len(queued)


def _dispatch(award_ids: list[int], run_after: datetime.datetime | None = None) -> None:
    from .tasks_notify import send_award_notifications

    task = send_award_notifications
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(award_ids=award_ids)


def award_notifications_dispatch_due() -> int:
    """Enqueue every queued email that is due and has no task on its way: those whose worker
    died mid-batch, or whose commit hook never ran. Returns how many."""
    now = timezone.now()
    due = list(
        AwardNotification.objects.filter(status=NotificationStatus.QUEUED)
        .filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at=None, created_at__lte=now - CLAIM_LEASE)
        )
        .order_by("award_id")
        .values_list("award_id", flat=True)
    )
    for start in range(0, len(due), BATCH_SIZE):
        _dispatch(due[start : start + BATCH_SIZE])
    return len(due)


@transaction.atomic
def award_notifications_cancel(*, actor, organisation: Organisation, award_ids: Iterable[int]):
    """Do not send the emails of these awards that are not sent yet (for imported awards the
    recipients already know about). Returns how many were stopped."""
    if not has_permission(actor, organisation, AWARD_BADGES):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    stopped = AwardNotification.objects.filter(
        award_id__in=list(award_ids),
        award__organisation=organisation,
        status=NotificationStatus.QUEUED,
    ).update(status=NotificationStatus.SKIPPED, next_attempt_at=None, updated_at=timezone.now())
    if stopped:
        audit_record(
            actor=actor,
            action="award.notifications_cancelled",
            organisation=organisation,
            data={"count": stopped},
        )
    return stopped


# -- the email --------------------------------------------------------------------------------


def linkedin_add_url(*, name: str, organisation_name: str, award: Award, award_url: str) -> str:
    """LinkedIn's documented "Add to Profile" link for a certification, filled in."""
    issued = timezone.localtime(award.issued_at)
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if award.expires_at:
        expires = timezone.localtime(award.expires_at)
        params["expirationYear"] = expires.year
        params["expirationMonth"] = expires.month
    params["certUrl"] = award_url
    params["certId"] = str(award.public_id)
    return f"{LINKEDIN_ADD_URL}?{urlencode(params, quote_via=quote)}"


def _image_part(award: Award, images: dict[int, bytes | None]) -> tuple[str, object] | None:
    """The badge image as an inline PNG part with its Content-ID, or None for SVG badges
    (mail programs rarely show SVG; those emails link the hosted image instead)."""
    version = award.badge_class_version
    if version.image_type != "image/png":
        return None
    if version.pk not in images:
        try:
            with version.image.open("rb") as stored:
                images[version.pk] = stored.read()
        except OSError:
            logger.warning("Badge image of version %s cannot be read", version.pk)
            images[version.pk] = None
    data = images[version.pk]
    if data is None:
        return None
    cid = f"badge-{award.public_id}@{links.site().split('://', 1)[-1].split('/')[0]}"
    part = email.message.MIMEPart()
    part.set_content(
        data,
        maintype="image",
        subtype="png",
        disposition="inline",
        filename="badge.png",
        cid=f"<{cid}>",
    )
    return cid, part


def award_email(
    notification: AwardNotification, language: str, images: dict[int, bytes | None]
) -> mail.EmailMultiAlternatives:
    """The notification email of one award, rendered in `language`."""
    award = notification.award
    version = award.badge_class_version
    profile = award.organisation.issuer_profile
    award_path = reverse("issuing:award_detail", args=[award.public_id])
    award_url = links.site() + award_path
    with translation.override(language):
        badge_name = version.translated("name", language)
        image = _image_part(award, images)
        context = {
            "language": language,
            "site_name": settings.SITE_NAME,
            "site_url": links.site(),
            "award": award,
            "recipient_name": award.recipient_name,
            "badge_name": badge_name,
            "badge_description": version.translated("description", language),
            "issuer_name": profile.name,
            "issuer_url": profile.url,
            "narrative": award.narrative,
            "issued_at": award.issued_at,
            "expires_at": award.expires_at,
            "award_url": award_url,
            # Sign-up, then the passport: opening it syncs the award in, pending acceptance.
            "passport_url": links.site()
            + reverse("account_signup")
            + "?"
            + urlencode({"next": reverse("passport:list")}),
            "linkedin_url": linkedin_add_url(
                name=badge_name,
                organisation_name=profile.name,
                award=award,
                award_url=award_url,
            ),
            "image_src": f"cid:{image[0]}"
            if image
            else links.badge_image_url(award.badge_class.public_id, version.number),
        }
        subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/award_subject.txt", context).split())
        text = render_to_string(f"{TEMPLATE_DIR}/award_email.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/award_email.html", context)
    message = mail.EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[award.recipient_identity],
        reply_to=[profile.email] if profile.email else None,
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    if image:
        message.attach(image[1])
    return message


# -- sending ----------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What one batch did, and which awards to try again when."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: dict[datetime.datetime, list[int]] = field(default_factory=dict)


def _claim(award_ids: list[int]) -> list[AwardNotification]:
    """Take the due emails of the batch for this worker (row locks on PostgreSQL; others skip
    them), holding them for CLAIM_LEASE."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            AwardNotification.objects.select_for_update(skip_locked=True)
            .filter(award_id__in=award_ids, status=NotificationStatus.QUEUED)
            .filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
            .values_list("pk", flat=True)
        )
        AwardNotification.objects.filter(pk__in=ids).update(next_attempt_at=now + CLAIM_LEASE)
    return list(
        AwardNotification.objects.filter(pk__in=ids)
        .select_related(
            "award__badge_class_version",
            "award__badge_class",
            "award__organisation__issuer_profile",
        )
        .order_by("award_id")
    )


def _record_sent(notification: AwardNotification, report: SendReport) -> None:
    AwardNotification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT,
        attempts=notification.attempts + 1,
        last_error="",
        next_attempt_at=None,
        sent_at=timezone.now(),
        updated_at=timezone.now(),
    )
    report.sent.append(notification.award_id)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = [
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in error.recipients.values()
        ]
        return "; ".join(replies)[:500]
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"[:500]
    return f"{type(error).__name__}: {error}"[:500]


def _record_failure(
    notification: AwardNotification, error: BaseException, report: SendReport
) -> None:
    attempts = notification.attempts + 1
    delay = None if is_permanent_email_failure(error) else email_retry_delay(attempts)
    now = timezone.now()
    update = {"attempts": attempts, "last_error": _describe(error), "updated_at": now}
    if delay is None:
        update.update(status=NotificationStatus.FAILED, next_attempt_at=None)
        report.failed.append(notification.award_id)
        logger.error(
            "Notification of award %s failed for good after attempt %d: %s",
            notification.award_id,
            attempts,
            update["last_error"],
        )
    else:
        run_after = now + delay
        update["next_attempt_at"] = run_after
        report.retry.setdefault(run_after, []).append(notification.award_id)
    AwardNotification.objects.filter(pk=notification.pk).update(**update)
    if delay is None:
        audit_record(
            actor=None,
            action="award.notification_failed",
            target=notification.award,
            organisation=notification.award.organisation,
            data={"attempts": attempts, "error": update["last_error"]},
        )


def _connection_lost(error: BaseException) -> bool:
    """True when the error is about the connection, not about this one message: the other
    messages of the batch would meet it too."""
    per_message = (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPSenderRefused,
        smtplib.SMTPDataError,
    )
    return isinstance(error, OSError) and not isinstance(error, per_message)


def award_notifications_send(*, award_ids: list[int]) -> SendReport:
    """Send the queued, due emails of these awards over one mail connection and record each
    outcome. Emails already sent, stopped or not yet due are left alone."""
    report = SendReport()
    notifications = _claim(award_ids)
    if not notifications:
        return report
    pending = []
    for notification in notifications:
        if notification.award.revoked_at is not None:
            AwardNotification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.SKIPPED, next_attempt_at=None, updated_at=timezone.now()
            )
            report.skipped.append(notification.award_id)
        else:
            pending.append(notification)
    account_languages = _account_languages(n.award.recipient_identity for n in pending)
    images: dict[int, bytes | None] = {}
    connection = mail.mailers.default
    try:
        connection.open()
    except OSError as error:
        for notification in pending:
            _record_failure(notification, error, report)
        return report
    try:
        for position, notification in enumerate(pending):
            language = recipient_language(notification, account_languages)
            try:
                message = award_email(notification, language, images)
                connection.send_messages([message])
            except Exception as error:
                if not isinstance(error, OSError):
                    logger.exception(
                        "Notification of award %s cannot be sent", notification.award_id
                    )
                if not _connection_lost(error):
                    # Only this message is concerned (a refused recipient, a broken address).
                    _record_failure(notification, error, report)
                    continue
                for rest in pending[position:]:
                    _record_failure(rest, error, report)
                break
            _record_sent(notification, report)
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    return report


def notification_retries_enqueue(report: SendReport) -> None:
    """Enqueue a later batch for each group of emails that failed for a reason that may pass.

    A task backend that cannot defer (the immediate one of the tests) runs the retry at once,
    so those emails are made due now, as `badgeeurope.tasks` does for single emails."""
    from .tasks_notify import send_award_notifications

    defers = send_award_notifications.get_backend().supports_defer
    for run_after, award_ids in sorted(report.retry.items()):
        if not defers:
            AwardNotification.objects.filter(
                award_id__in=award_ids, status=NotificationStatus.QUEUED
            ).update(next_attempt_at=timezone.now())
        _dispatch(award_ids, run_after=run_after)


# -- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationState:
    status: str
    label: str
    attempts: int
    last_error: str
    sent_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None

    @property
    def is_failure(self) -> bool:
        return self.status == NotificationStatus.FAILED


def notification_status_for_awards(
    *, actor, organisation: Organisation, award_ids: Iterable[int]
) -> dict[int, NotificationState]:
    """What became of the email of each of these awards of `organisation` (award database id →
    state; awards without an email are absent), for staff who may award there."""
    if not has_permission(actor, organisation, AWARD_BADGES):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    labels = dict(NotificationStatus.choices)
    rows = AwardNotification.objects.filter(
        award_id__in=list(award_ids), award__organisation=organisation
    ).values_list("award_id", "status", "attempts", "last_error", "sent_at", "next_attempt_at")
    return {
        award_id: NotificationState(
            status=status,
            label=str(labels[status]),
            attempts=attempts,
            last_error=last_error,
            sent_at=sent_at,
            next_attempt_at=next_attempt_at,
        )
        for award_id, status, attempts, last_error, sent_at, next_attempt_at in rows
    }


def notifications_failed(*, actor, organisation: Organisation):
    """The awards of `organisation` whose email failed for good, newest first, for staff."""
    if not has_permission(actor, organisation, AWARD_BADGES):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    return (
        AwardNotification.objects.filter(
            award__organisation=organisation, status=NotificationStatus.FAILED
        )
        .select_related("award__badge_class_version")
        .order_by("-updated_at")
    )
