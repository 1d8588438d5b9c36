"""Recipient notifications over a real SMTP conversation (aiosmtpd on a local port)."""

import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Role
from audit.models import AuditEvent
from badgeeurope import tasks as email_policy
from badgeeurope.tests import test_email_smtp as email_smtp
from issuing import notifications, services
from issuing.models import AwardSource, IdentityType
from notifications.models import AwardNotification, NotificationStatus

from .conftest import BADGE_FIELDS, SITE, SVG, make_user, png_bytes

# The SMTP server, task and worker fixtures of the platform's own email tests.
smtp = email_smtp.smtp
smtp_down = email_smtp.smtp_down
database_tasks = email_smtp.database_tasks
run_worker = email_smtp.run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_tasks():
    """The notification tasks that finished. An award also wakes other apps' tasks (the
    campaign's counters), which these tests do not count."""
    results = []

    def record(sender, task_result, **kwargs):
        if task_result.task.module_path.startswith("issuing.tasks_notify."):
            results.append(task_result)

    task_finished.connect(record)
    yield results
    task_finished.disconnect(record)


GERMAN_BADGE = {
    **BADGE_FIELDS,
    "translations": {
        "de": {
            "name": "Digitale Moderation",
            "description": "Leitet inklusive Online-Workshops für Erwachsene.",
        }
    },
}
ISSUED = timezone.make_aware(datetime(2026, 3, 12, 10, 0))


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def count_connections(handler) -> list:
    """Wrap the recording handler so each delivered message notes its SMTP connection."""
    peers = []
    deliver = handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        peers.append(session.peer)
        return await deliver(server, session, envelope)

    handler.handle_DATA = handle_DATA
    return peers


def refuse_once(handler, address: str, reply: str) -> None:
    """Make the SMTP server answer RCPT for `address` with `reply` the first time, whatever
    the order in which the worker runs the tasks."""
    accept = handler.handle_RCPT
    pending = [address]

    async def handle_RCPT(server, session, envelope, rcpt, rcpt_options):
        if rcpt in pending:
            pending.remove(rcpt)
            return reply
        return await accept(server, session, envelope, rcpt, rcpt_options)

    handler.handle_RCPT = handle_RCPT


@pytest.fixture
def german_badge(w):
    return services.badge_class_create(
        actor=w.members[Role.DESIGNER],
        organisation=w.organisation,
        image=png_bytes(colour=(200, 30, 30, 255)),
        **GERMAN_BADGE,
    )


def award_to(w, badge, address, **extra):
    return services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email=address,
        **extra,
    )


def notify(capture, award_ids, **options):
    """Queue the emails as the award services do, and run the commit hooks that send them."""
    with capture(execute=True):
        return notifications.award_notifications_enqueue(award_ids, **options)


def record(award) -> AwardNotification:
    return AwardNotification.objects.get(award=award)


def test_one_award_one_email_in_german_with_links_and_image(
    w, german_badge, smtp, django_capture_on_commit_callbacks, client
):
    learner = make_user("lena.fischer@example.de", "Lena Fischer")
    learner.language = "de"
    learner.save()
    # award_create queues the email; it leaves when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        award = award_to(
            w,
            german_badge,
            "Lena.Fischer@example.de",
            recipient_name="Lena Fischer",
            narrative="Hat drei Workshops souverän geleitet.",
            issued_at=ISSUED,
            expires_at=ISSUED + timedelta(days=400),
        )

    [(recipients, message)] = smtp.messages
    assert recipients == ["lena.fischer@example.de"]
    assert message["Subject"] == "Hansa Academy hat Ihnen das Badge „Digitale Moderation“ verliehen"
    assert message["Content-Language"] == "de"
    assert message["Reply-To"] == "badges@hansa.example.org"
    text, html = text_of(message), html_of(message)
    assert 'lang="de"' in html
    assert "Guten Tag Lena Fischer," in text
    assert "Leitet inklusive Online-Workshops für Erwachsene." in text
    assert "Hat drei Workshops souverän geleitet." in html
    assert "12. März 2026" in text  # German date format and month name
    assert "Behalten Sie es in Ihrem Badge Europe-Pass" in html
    assert "Zu LinkedIn hinzufügen" in html

    award_url = f"{SITE}/awards/{award.public_id}"
    assert award_url in text
    assert f'href="{award_url}"' in html
    assert client.get(urlsplit(award_url).path).status_code == 200

    passport = re.search(r'href="([^"]*/accounts/signup/[^"]*)"', html).group(1)
    assert passport == f"{SITE}/accounts/signup/?next=%2Fpassport%2F"

    linkedin = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]*)"', html).group(1)
    query = parse_qs(urlsplit(linkedin.replace("&amp;", "&")).query)
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Digitale Moderation"],
        "organizationName": ["Hansa Academy"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "expirationYear": ["2027"],
        "expirationMonth": ["4"],
        "certUrl": [award_url],
        "certId": [str(award.public_id)],
    }

    # The badge image travels inline and the HTML shows it by its Content-ID, with alt text.
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image.get_content_disposition() == "inline"
    with award.badge_class_version.image.open("rb") as stored:
        assert image.get_content() == stored.read()
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert 'alt="Badge-Bild von „Digitale Moderation“"' in html

    state = record(award)
    assert state.status == NotificationStatus.SENT
    assert state.attempts == 1
    assert state.sent_at is not None
    assert state.last_error == ""


def test_the_language_chosen_at_award_time_wins_then_the_badge_language(
    w, german_badge, smtp, django_capture_on_commit_callbacks
):
    # As the award form does: the award, then its email's language, in one transaction.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        chosen = award_to(w, german_badge, "mateo@example.es")
        by_badge = award_to(w, german_badge, "ines@example.pt")
        unknown = award_to(w, german_badge, "kim@example.org")
        notifications.award_notifications_enqueue(
            [chosen.pk, by_badge.pk, unknown.pk],
            languages={chosen.pk: "fr-BE", unknown.pk: "tlh"},
        )

    by_address = {recipients[0]: message for recipients, message in smtp.messages}
    assert by_address["mateo@example.es"]["Content-Language"] == "fr"
    assert "vous a décerné le badge" in by_address["mateo@example.es"]["Subject"]
    # No choice and no account: the badge's own language (English here).
    for address in ("ines@example.pt", "kim@example.org"):
        assert by_address[address]["Content-Language"] == "en"
        assert by_address[address]["Subject"] == (
            "Hansa Academy awarded you the badge “Digital Facilitator”"
        )
        assert "Keep it in your Badge Europe passport" in html_of(by_address[address])


def test_a_bulk_of_250_sends_250_emails_over_at_most_three_connections(
    w, badge, smtp, django_capture_on_commit_callbacks
):
    peers = count_connections(smtp)
    requests = [
        services.AwardRequest(
            recipient_identity=f"learner{n:03d}@example.org", recipient_name=f"L{n}"
        )
        for n in range(250)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.awards_create_bulk(
            actor=w.members[Role.AWARDER], badge_class=badge, requests=requests
        )
    assert len(result.created) == 250

    delivered = sorted(recipients[0] for recipients, _message in smtp.messages)
    assert delivered == sorted(f"learner{n:03d}@example.org" for n in range(250))
    assert len(peers) == 250
    assert 1 <= len(set(peers)) <= 3
    assert (
        AwardNotification.objects.filter(status=NotificationStatus.SENT, attempts=1).count() == 250
    )


def test_a_temporary_refusal_is_recorded_and_retried_while_the_others_arrive(
    w, badge, smtp, finished_tasks, django_capture_on_commit_callbacks
):
    busy, second, third = (award_to(w, badge, f"{name}@example.org") for name in "abc")
    smtp.refusals = ["451 4.3.0 Mailbox busy, try again later"]

    notify(django_capture_on_commit_callbacks, [busy.pk, second.pk, third.pk])

    # The first batch delivered two and recorded the refusal; the retry (run at once by the
    # test backend, which cannot defer) delivered the third.
    assert [recipients[0] for recipients, _message in smtp.messages] == [
        "b@example.org",
        "c@example.org",
        "a@example.org",
    ]
    returns = sorted((r.return_value for r in finished_tasks), key=lambda value: value["sent"])
    assert returns == [
        {"sent": 1, "failed": 0, "skipped": 0, "retrying": 0},
        {"sent": 2, "failed": 0, "skipped": 0, "retrying": 1},
    ]
    assert record(busy).status == NotificationStatus.SENT
    assert record(busy).attempts == 2
    assert record(second).attempts == 1


# The worker closes and reopens database connections between tasks, as in production, which a
# test wrapped in one transaction cannot survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_the_database_backend_defers_the_retry_of_a_temporary_refusal(
    w, badge, smtp, database_tasks
):
    refuse_once(smtp, "busy@example.org", "451 4.3.0 Mailbox busy, try again later")
    # Outside a test transaction each award commits at once and enqueues its email's task.
    busy, other = award_to(w, badge, "busy@example.org"), award_to(w, badge, "ok@example.org")

    run_worker()

    assert [recipients for recipients, _message in smtp.messages] == [["ok@example.org"]]
    assert record(other).status == NotificationStatus.SENT
    waiting = record(busy)
    assert waiting.status == NotificationStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.last_error.startswith("451 4.3.0 Mailbox busy")
    assert waiting.next_attempt_at > timezone.now() + timedelta(seconds=50)
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.task_result.kwargs == {"award_ids": [busy.pk]}

    run_worker()  # not due yet
    assert len(smtp.messages) == 1

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    AwardNotification.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    run_worker()

    assert [recipients for recipients, _message in smtp.messages][1] == ["busy@example.org"]
    assert record(busy).status == NotificationStatus.SENT
    assert record(busy).attempts == 2


def test_a_permanent_refusal_is_recorded_as_failed_and_shown_to_staff(
    w, badge, smtp, finished_tasks, django_capture_on_commit_callbacks
):
    ghost, real = award_to(w, badge, "ghost@example.org"), award_to(w, badge, "real@example.org")
    smtp.refusals = ["550 5.1.1 No such mailbox"]

    notify(django_capture_on_commit_callbacks, [ghost.pk, real.pk])

    assert [recipients for recipients, _message in smtp.messages] == [["real@example.org"]]
    assert len(finished_tasks) == 1  # no retry
    failed = record(ghost)
    assert failed.status == NotificationStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "550 5.1.1 No such mailbox"
    assert AuditEvent.objects.filter(
        action="award.notification_failed", target_id=str(ghost.public_id)
    ).exists()

    states = notifications.notification_status_for_awards(
        actor=w.members[Role.AWARDER], organisation=w.organisation, award_ids=[ghost.pk, real.pk]
    )
    assert states[ghost.pk].is_failure
    assert states[ghost.pk].label == "Failed"
    assert states[ghost.pk].last_error == "550 5.1.1 No such mailbox"
    assert states[real.pk].status == NotificationStatus.SENT
    assert list(
        notifications.notifications_failed(actor=w.members[Role.OWNER], organisation=w.organisation)
    ) == [failed]
    for stranger in (w.outsider, w.members[Role.REVIEWER]):
        with pytest.raises(PermissionDenied):
            notifications.notification_status_for_awards(
                actor=stranger, organisation=w.organisation, award_ids=[ghost.pk]
            )
    # Another organisation's staff see nothing of these awards.
    assert (
        notifications.notification_status_for_awards(
            actor=w.outsider, organisation=w.other, award_ids=[ghost.pk, real.pk]
        )
        == {}
    )


def test_an_unreachable_server_is_retried_per_policy_then_recorded_as_failed(
    w, badge, smtp_down, django_capture_on_commit_callbacks
):
    awards = [award_to(w, badge, f"{name}@example.org") for name in ("ana", "ben")]

    notify(django_capture_on_commit_callbacks, [a.pk for a in awards])

    for award in awards:
        state = record(award)
        assert state.status == NotificationStatus.FAILED
        assert state.attempts == email_policy.EMAIL_MAX_ATTEMPTS
        assert state.last_error.startswith("ConnectionRefusedError")


def test_no_email_when_switched_off_for_demo_data_or_other_identities(
    w, badge, smtp, settings, django_capture_on_commit_callbacks
):
    demo = award_to(w, badge, "demo@example.org", source=AwardSource.DEMO)
    web = services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_type=IdentityType.URL,
        recipient_identity="https://people.example.org/aino",
    )
    assert notify(django_capture_on_commit_callbacks, [demo.pk, web.pk]) == 0

    settings.AWARD_NOTIFICATIONS = False
    imported = award_to(w, badge, "imported@example.org")
    assert notify(django_capture_on_commit_callbacks, [imported.pk]) == 0

    assert smtp.messages == []
    assert not AwardNotification.objects.exists()


def test_cancelled_and_revoked_awards_get_no_email_and_a_second_enqueue_sends_once(
    w, badge, smtp, django_capture_on_commit_callbacks
):
    awarder = w.members[Role.AWARDER]
    kept, cancelled, revoked = (
        award_to(w, badge, f"{name}@example.org") for name in ("kept", "cancelled", "revoked")
    )
    ids = [kept.pk, cancelled.pk, revoked.pk]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.award_notifications_enqueue(ids)
        assert (
            notifications.award_notifications_cancel(
                actor=awarder, organisation=w.organisation, award_ids=[cancelled.pk]
            )
            == 1
        )
        services.award_revoke(actor=awarder, award=revoked, reason="Awarded by mistake.")

    assert [recipients for recipients, _message in smtp.messages] == [["kept@example.org"]]
    assert record(cancelled).status == NotificationStatus.SKIPPED
    assert record(revoked).status == NotificationStatus.SKIPPED

    assert notify(django_capture_on_commit_callbacks, ids) == 0
    assert len(smtp.messages) == 1
    with pytest.raises(PermissionDenied):
        notifications.award_notifications_cancel(
            actor=w.outsider, organisation=w.organisation, award_ids=[kept.pk]
        )


def test_queued_emails_left_behind_are_dispatched_again(w, badge, smtp):
    # Queued without its commit hook ever running (a crash between commit and enqueue).
    award = award_to(w, badge, "late@example.org")
    notifications.award_notifications_enqueue([award.pk])
    assert notifications.award_notifications_dispatch_due() == 0  # still fresh
    AwardNotification.objects.filter(award=award).update(
        created_at=timezone.now() - notifications.CLAIM_LEASE - timedelta(minutes=1)
    )

    assert notifications.award_notifications_dispatch_due() == 1

    assert [recipients for recipients, _message in smtp.messages] == [["late@example.org"]]
    assert notifications.award_notifications_dispatch_due() == 0


def test_an_svg_badge_links_its_hosted_image(w, smtp, django_capture_on_commit_callbacks):
    badge = services.badge_class_create(
        actor=w.members[Role.DESIGNER], organisation=w.organisation, image=SVG, **BADGE_FIELDS
    )
    award = award_to(w, badge, "svg@example.org")

    notify(django_capture_on_commit_callbacks, [award.pk])

    [(_recipients, message)] = smtp.messages
    assert f'src="{SITE}/badges/{badge.public_id}/image?v=1"' in html_of(message)
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]


@pytest.mark.browser
def test_the_html_email_has_no_serious_accessibility_violations(w, german_badge, page):
    award = award_to(
        w, german_badge, "aino@example.fi", recipient_name="Aino", narrative="Erinomaista työtä."
    )
    state = AwardNotification.objects.get(award=award)
    for language in ("en", "fi"):
        message = notifications.award_email(state, language, {})
        [(html, _mimetype)] = message.alternatives
        page.set_content(html)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").count() == 1
        violations = [
            f"{violation['id']} ({violation['impact']})"
            for violation in Axe().run(page).response["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]
        assert violations == []


def test_a_batch_claimed_by_one_worker_is_not_sent_by_another(w, badge, smtp):
    award = award_to(w, badge, "once@example.org")
    [claimed] = notifications._claim([award.pk])
    assert claimed.award_id == award.pk
    assert notifications._claim([award.pk]) == []  # held for the lease
    assert notifications.award_notifications_send(award_ids=[award.pk]).sent == []
    assert smtp.messages == []


def test_the_operator_command_sends_what_was_left_behind(w, badge, smtp):
    award = award_to(w, badge, "cron@example.org")
    AwardNotification.objects.filter(award=award).update(
        created_at=timezone.now() - notifications.CLAIM_LEASE - timedelta(minutes=1)
    )
    output = io.StringIO()

    call_command("notifications_dispatch_due", stdout=output)

    assert output.getvalue().strip() == "1 email(s) enqueued."
    assert [recipients for recipients, _message in smtp.messages] == [["cron@example.org"]]


def test_site_staff_see_the_delivery_records_in_the_admin(w, badge, client):
    award_to(w, badge, "admin-view@example.org")
    superuser = make_user("root@example.org")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)

    response = client.get("/admin/notifications/awardnotification/?status=queued")

    assert response.status_code == 200
    assert "admin-view@example.org" in response.text
