from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils.encoding import force_str

from .language import remember_language


def site() -> SimpleNamespace:
    """The site as allauth's email templates expect it (`name`, `domain`).

    django.contrib.sites is not installed; the name and address come from settings so that
    emails say "Badge Europe" rather than the host name of whichever node sent them.
    """
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Send allauth's emails (verification, password reset) through a background task."""

    def post_login(self, request, user, **kwargs):
        # Signing in on a new device brings back the language chosen in the account settings.
        response = super().post_login(request, user, **kwargs)
        if getattr(user, "language", ""):
            remember_language(response, user.language)
        return response

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {force_str(subject)}"

    def send_mail(self, template_prefix, email, context):
        from badgeeurope.tasks import send_email_message

        mail_context = {
            "request": allauth_context.request,
            "email": email,
            **context,
            "current_site": site(),
        }
        msg = self.render_mail(template_prefix, email, mail_context)
        send_email_message.enqueue(
            subject=msg.subject,
            body=msg.body,
            to=list(msg.to),
            from_email=msg.from_email,
            alternatives=[[content, mimetype] for content, mimetype in msg.alternatives],
        )
