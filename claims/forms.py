from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClaimForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        help_text=_(
            "Shown to the issuer; the badge itself carries only your email address, hashed."
        ),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send you a link to confirm it. The badge is issued to this address."),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ClaimSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("People may claim this badge"), required=False)
    opens_on = forms.DateField(
        label=_("Open from"), required=False, widget=DateInput(), help_text=_("Empty: now.")
    )
    closes_on = forms.DateField(
        label=_("Open until"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day on which it can be claimed. Empty: no end."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("opens_on"), cleaned.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", _("The end of the period is before its start."))
        return cleaned

    @staticmethod
    def initial_from(claimable) -> dict:
        if claimable is None:
            return {"enabled": True}
        closes = claimable.closes_at
        return {
            "enabled": claimable.enabled,
            "opens_on": timezone.localtime(claimable.opens_at).date()
            if claimable.opens_at
            else None,
            # Stored as the instant after the last day.
            "closes_on": (timezone.localtime(closes) - timedelta(seconds=1)).date()
            if closes
            else None,
        }

    def period(self) -> tuple[datetime | None, datetime | None]:
        start, end = self.cleaned_data.get("opens_on"), self.cleaned_data.get("closes_on")
        opens = timezone.make_aware(datetime.combine(start, time.min)) if start else None
        closes = (
            timezone.make_aware(datetime.combine(end, time.min)) + timedelta(days=1)
            if end
            else None
        )
        return opens, closes
