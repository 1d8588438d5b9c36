"""Email leaves through tasks and a real SMTP conversation (aiosmtpd on a local port)."""

import email
import email.policy
import re
import signal
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badgeeurope import tasks
from badgeeurope.tasks import send_email_message

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Accepts every message, or answers RCPT with the queued `refusals` first."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refusals: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusals:
            return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailers(controller.port)
    yield handler
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Mail settings pointing at a port where nothing listens: the connection is refused."""
    settings.MAILERS = smtp_mailers(free_port())


@pytest.fixture
def finished_tasks():
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(record)
    yield results
    task_finished.disconnect(record)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """Run the database worker until the queue is empty, as `./dev start` runs it forever."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, queue_name="*", interval=0, startup_delay=False, verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def attempt_of(result) -> int:
    return result.kwargs.get("attempt", 1)


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def sign_up(client, address):
    return client.post(
        "/accounts/signup/",
        {"email": address, "password1": "orange-tartu-1632", "password2": "orange-tartu-1632"},
    )


def test_sign_up_sends_the_verification_message_over_smtp(client, smtp, finished_tasks):
    response = sign_up(client, "aino.virtanen@example.org")
    assert response.status_code == 302

    [(recipients, message)] = smtp.messages
    assert recipients == ["aino.virtanen@example.org"]
    assert message["To"] == "aino.virtanen@example.org"
    assert "Confirm" in message["Subject"]
    assert [result.status for result in finished_tasks] == [TaskResultStatus.SUCCESSFUL]

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body_text(message))
    assert link, body_text(message)
    path = link.group(0).split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(email="aino.virtanen@example.org").verified


def test_enqueued_message_arrives_with_alternatives(smtp):
    result = send_email_message.enqueue(
        subject="Votre badge est arrivé",
        body="Bonjour Léa, votre badge vous attend.",
        to=["lea.dubois@example.org", "badges@example.org"],
        from_email="Badge Europe <noreply@example.org>",
        alternatives=[["<p>Bonjour Léa, votre badge vous attend.</p>", "text/html"]],
    )
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    [(recipients, message)] = smtp.messages
    assert recipients == ["lea.dubois@example.org", "badges@example.org"]
    assert message["Subject"] == "Votre badge est arrivé"
    assert message["From"] == "Badge Europe <noreply@example.org>"
    assert body_text(message).strip() == "Bonjour Léa, votre badge vous attend."
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<p>Bonjour Léa" in html


def test_sign_up_succeeds_when_smtp_is_down_and_the_task_records_the_failure(
    client, smtp_down, finished_tasks
):
    response = sign_up(client, "jonas.berg@example.org")
    assert response.status_code == 302
    assert EmailAddress.objects.filter(email="jonas.berg@example.org", verified=False).exists()
    assert finished_tasks, "the verification email was not attempted"
    assert {result.status for result in finished_tasks} == {TaskResultStatus.FAILED}
    first = finished_tasks[0]
    assert first.errors[0].exception_class is ConnectionRefusedError
    # Every attempt of the retry policy ran, numbered, and then it gave up.
    assert sorted(attempt_of(result) for result in finished_tasks) == list(
        range(1, tasks.EMAIL_MAX_ATTEMPTS + 1)
    )


def test_a_temporary_refusal_is_retried_and_then_delivered(smtp, finished_tasks):
    smtp.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    send_email_message.enqueue(subject="Badge", body="Hello", to=["kai@example.org"])
    assert [(attempt_of(r), r.status) for r in finished_tasks] == [
        (2, TaskResultStatus.SUCCESSFUL),
        (1, TaskResultStatus.FAILED),
    ]
    assert [recipients for recipients, _message in smtp.messages] == [["kai@example.org"]]


def test_a_permanent_refusal_is_not_retried(smtp, finished_tasks):
    smtp.refusals = ["550 5.1.1 No such mailbox"]
    result = send_email_message.enqueue(subject="Badge", body="Hello", to=["ghost@example.org"])
    assert result.status == TaskResultStatus.FAILED
    assert len(finished_tasks) == 1
    assert smtp.messages == []


def test_retry_delays_grow_and_stop_at_the_last_attempt():
    delays = [tasks.email_retry_delay(attempt) for attempt in range(1, tasks.EMAIL_MAX_ATTEMPTS)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=1)
    assert tasks.email_retry_delay(tasks.EMAIL_MAX_ATTEMPTS) is None


# The worker closes and reopens database connections between tasks, as in production, which a
# test wrapped in one transaction cannot survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_database_backend_and_worker_deliver_over_smtp(smtp, database_tasks):
    result = send_email_message.enqueue(
        subject="Tervetuloa", body="Tervetuloa Badge Europeen!", to=["aino@example.org"]
    )
    assert result.status == TaskResultStatus.READY
    assert smtp.messages == []

    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    [(recipients, message)] = smtp.messages
    assert recipients == ["aino@example.org"]
    assert message["Subject"] == "Tervetuloa"


@pytest.mark.django_db(transaction=True)
def test_database_backend_defers_the_retry(smtp, database_tasks):
    smtp.refusals = ["421 4.7.0 Too many connections"]
    first = send_email_message.enqueue(subject="Badge", body="Hello", to=["mia@example.org"])

    run_worker()

    first.refresh()
    assert first.status == TaskResultStatus.FAILED
    retry = DBTaskResult.objects.exclude(id=first.id).get()
    assert retry.status == TaskResultStatus.READY
    assert retry.task_result.kwargs["attempt"] == 2
    assert retry.run_after > timezone.now() + timedelta(seconds=50)

    run_worker()  # the retry is not due yet
    assert smtp.messages == []

    DBTaskResult.objects.filter(id=retry.id).update(run_after=timezone.now())
    run_worker()
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert [recipients for recipients, _message in smtp.messages] == [["mia@example.org"]]
