"""Which email failures the retry policy retries (see badgeeurope.tasks)."""

import smtplib
import socket

import pytest
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished

from badgeeurope.tasks import is_permanent_email_failure, send_email_message


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (socket.gaierror(-2, "Name or service not known"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPDataError(451, b"Try again later"), False),
        (smtplib.SMTPSenderRefused(550, b"Sender rejected", "noreply@example.org"), True),
        (smtplib.SMTPAuthenticationError(535, b"Authentication failed"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), True),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@example.org": (550, b"No such user"), "b@example.org": (452, b"Full")}
            ),
            False,
        ),
        (ValueError("Header values may not contain linefeed or carriage return characters"), True),
    ],
)
def test_failures_are_classified(error, permanent):
    assert is_permanent_email_failure(error) is permanent


def test_a_broken_message_fails_once_without_retry(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    finished = []

    def record(sender, task_result, **kwargs):
        finished.append(task_result)

    task_finished.connect(record)
    try:
        result = send_email_message.enqueue(
            subject="Badge\nBcc: everyone@example.org", body="Hello", to=["kai@example.org"]
        )
    finally:
        task_finished.disconnect(record)
    assert result.status == TaskResultStatus.FAILED
    assert issubclass(result.errors[0].exception_class, ValueError)
    assert len(finished) == 1
