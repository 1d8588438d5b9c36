from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task
def send_email_message(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    alternatives: list[list[str]] | None = None,
) -> None:
    """Send one email. Takes plain values so the task can be stored and retried by a worker."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    for content, mimetype in alternatives or []:
        message.attach_alternative(content, mimetype)
    message.send()
