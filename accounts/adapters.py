from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Send allauth's emails (verification, password reset) through a background task."""

    def send_mail(self, template_prefix, email, context):
        from badgeeurope.tasks import send_email_message

        msg = self.render_mail(template_prefix, email, context)
        send_email_message.enqueue(
            subject=msg.subject,
            body=msg.body,
            to=list(msg.to),
            from_email=msg.from_email,
            alternatives=[[content, mimetype] for content, mimetype in msg.alternatives],
        )
