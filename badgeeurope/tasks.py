"""Background tasks of the platform itself: sending email.

Email retry policy. django.tasks never retries on its own, so `send_email_message` does: when
delivery fails for a reason that may pass (connection refused or dropped, timeout, an SMTP 4xx
reply), the failing attempt is recorded as FAILED by the task backend and the task enqueues a
fresh attempt, with `attempt` one higher, to run after the delay in EMAIL_RETRY_DELAYS. After
EMAIL_MAX_ATTEMPTS attempts, or at once for a permanent refusal (an SMTP 5xx reply such as an
unknown recipient), it gives up; the failed results stay in the task backend for operators.
Backends that cannot defer (the immediate backend of the tests) run the next attempt at once.
"""

import datetime
import logging
import smtplib

from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5
# Seconds to wait before attempt 2, 3, 4 and 5: a minute, five minutes, half an hour, two hours.
EMAIL_RETRY_DELAYS = (60, 300, 1800, 7200)


def is_permanent_email_failure(error: BaseException) -> bool:
    """True when sending again cannot help: the server refused for good (5xx) or the message
    itself is broken (not an I/O error)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def email_retry_delay(attempt: int) -> datetime.timedelta | None:
    """How long to wait after failed attempt number `attempt`; None when it was the last."""
    if attempt >= EMAIL_MAX_ATTEMPTS:
        return None
    return datetime.timedelta(seconds=EMAIL_RETRY_DELAYS[min(attempt, len(EMAIL_RETRY_DELAYS)) - 1])


@task
def send_email_message(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    alternatives: list[list[str]] | None = None,
    attempt: int = 1,
) -> int:
    """Send one email and return the attempt that delivered it.

    Takes plain values so the task can be stored by a worker backend and enqueued again.
    """
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    try:
        message.send()
    except Exception as error:
        delay = None if is_permanent_email_failure(error) else email_retry_delay(attempt)
        if delay is not None:
            _enqueue_retry(
                delay,
                subject=subject,
                body=body,
                to=to,
                from_email=from_email,
                alternatives=alternatives,
                attempt=attempt + 1,
            )
        else:
            logger.error("Email to %s failed for good after attempt %d", to, attempt)
        # Re-raised so the task backend records this attempt as failed.
        raise
    return attempt


def _enqueue_retry(delay: datetime.timedelta, **kwargs) -> None:
    logger.warning(
        "Email to %s failed on attempt %d; attempt %d in %s",
        kwargs["to"],
        kwargs["attempt"] - 1,
        kwargs["attempt"],
        delay,
    )
    retry = send_email_message
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + delay)
    retry.enqueue(**kwargs)
