"""Forms of the staff award pages: awarding one recipient, revoking, filtering the dashboard.

The forms check what a person can correct on the page (field by field); the services check
everything again and stay the authority.
"""

import uuid
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import evidence as evidence_files
from .models import AwardSource, BadgeClassVersion, IdentityType
from .selectors_award import AwardStatus
from .services import MAX_EVIDENCE_ITEMS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def aware_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


class AwardForm(forms.Form):
    recipient_type = forms.ChoiceField(
        label=_("Identify the recipient by"),
        choices=IdentityType.choices,
        initial=IdentityType.EMAIL,
        widget=forms.RadioSelect,
    )
    recipient_identity = forms.CharField(
        label=_("Recipient"),
        max_length=320,
        help_text=_(
            "Their email address; or a web address (https://…) or a telephone number in "
            "international form (+358…) when chosen above. Only a salted hash of it appears in "
            "the badge."
        ),
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=200,
        required=False,
        help_text=_("Shown to your staff and in the email; not written into the badge."),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How this person earned the badge. Markdown is allowed."),
    )
    issued_on = forms.DateField(
        label=_("Issue date"),
        widget=DateInput(),
        help_text=_("Today, or an earlier date when the badge was earned before."),
    )
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=DateInput(),
    )
    language = forms.ChoiceField(
        label=_("Language of the email to the recipient"),
        choices=settings.LANGUAGES,
        help_text=_("The recipient is told about the badge by email in this language."),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, version: BadgeClassVersion, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["language"].initial = language
        self.fields["issued_on"].initial = timezone.localdate()
        if not self.is_bound:
            # Made once when the form is shown: a second submission of the same page (double
            # click, reload after a lost answer) carries the same key and awards nothing twice.
            self.fields["idempotency_key"].initial = uuid.uuid4()
        if version.default_validity_days:
            self.fields["expires_on"].help_text = _(
                "Leave empty to use this badge's validity of %(days)s days from the issue date."
            ) % {"days": version.default_validity_days}
        else:
            self.fields["expires_on"].help_text = _("Leave empty for a badge that does not expire.")

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise forms.ValidationError(_("The issue date cannot be in the future."))
        return issued_on

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("recipient_type")
        identity = (cleaned.get("recipient_identity") or "").strip()
        if kind == IdentityType.EMAIL and identity:
            try:
                validate_email(identity)
            except forms.ValidationError:
                self.add_error("recipient_identity", _("Enter a valid email address."))
        elif kind == IdentityType.URL and identity:
            try:
                URLValidator(schemes=["http", "https"])(identity)
            except forms.ValidationError:
                self.add_error(
                    "recipient_identity",
                    _("Enter a web address starting with https:// or http://."),
                )
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on <= issued_on:
            self.add_error("expires_on", _("The expiry date must be after the issue date."))
        return cleaned

    def issued_at(self) -> datetime:
        """Now for today's awards; the start of the day for a retroactive date."""
        issued_on = self.cleaned_data["issued_on"]
        if issued_on == timezone.localdate():
            return timezone.now()
        return aware_datetime(issued_on, time(9, 0))

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, so the badge is valid through the whole date shown."""
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        return aware_datetime(expires_on + timedelta(days=1), time.min) - timedelta(seconds=1)


def _evidence_file_help_text() -> str:
    # Called when the form is shown: `_(…) % …` in the class body would run once, at
    # import, and freeze the English text.
    return _(
        "PDF, image, office document or short video, at most %(size)s MB. It is published "
        "at a permanent address that only the badge names."
    ) % {"size": evidence_files.MAX_FILE_BYTES // 1024 // 1024}


class EvidenceForm(forms.Form):
    url = forms.URLField(
        label=_("Link"),
        assume_scheme="https",
        max_length=2000,
        required=False,
        help_text=_("A page, document or video showing the work."),
    )
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=lazy(_evidence_file_help_text, str)(),
    )
    name = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, too_large=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = set(too_large)
        self.checked: evidence_files.CheckedFile | None = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.add_prefix("file") in self.too_large:
            raise forms.ValidationError(evidence_files.too_large_message())
        if upload is None:
            return None
        # Checked before reading: a huge file is refused without loading it into memory.
        if upload.size > evidence_files.MAX_FILE_BYTES:
            raise forms.ValidationError(evidence_files.too_large_message())
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        self.checked = evidence_files.check_file(upload.read())
        return upload

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file")) or self.add_prefix("file") in self.too_large
        if cleaned.get("url") and has_file:
            self.add_error("file", _("Give either a link or a file, not both."))
        elif (cleaned.get("name") or cleaned.get("description")) and not (
            cleaned.get("url") or has_file or self.errors.get("file")
        ):
            self.add_error("url", _("Give the link this evidence points to."))
        return cleaned

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("url"):
            return None
        return {key: data[key] for key in ("url", "name", "description") if data.get(key)}

    def upload(self) -> evidence_files.EvidenceUpload | None:
        if self.checked is None:
            return None
        data = self.cleaned_data
        return evidence_files.EvidenceUpload(
            name=data["file"].name,
            data=self.checked.data,
            title=data.get("name") or "",
            description=data.get("description") or "",
            checked=self.checked,
        )


class BaseEvidenceFormSet(forms.BaseFormSet):
    def __init__(self, *args, too_large=(), **kwargs):
        self.too_large = set(too_large)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "too_large": self.too_large}

    def clean(self):
        if any(self.errors):
            return
        files = sum(1 for form in self.forms if form.checked is not None)
        if files > evidence_files.MAX_FILES_PER_AWARD:
            raise forms.ValidationError(
                _("At most %(count)s files per award.")
                % {"count": evidence_files.MAX_FILES_PER_AWARD}
            )

    def items(self) -> list[dict]:
        return [item for item in (form.item() for form in self.forms) if item]

    def uploads(self) -> list:
        return [upload for upload in (form.upload() for form in self.forms) if upload]


EvidenceFormSet = forms.formset_factory(
    EvidenceForm,
    formset=BaseEvidenceFormSet,
    extra=2,
    max_num=MAX_EVIDENCE_ITEMS,
    validate_max=True,
)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published in the revocation list and shown to anyone who verifies it."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that revocation is final and cannot be undone."),
    )


STATUS_CHOICES = [
    ("", _("Any status")),
    (AwardStatus.VALID, _("Valid")),
    (AwardStatus.EXPIRED, _("Expired")),
    (AwardStatus.REVOKED, _("Revoked")),
]


class AwardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=320,
        help_text=_("Email address, web address or name of the recipient."),
    )
    badge = forms.ChoiceField(label=_("Badge"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    source = forms.ChoiceField(
        label=_("Awarded through"),
        choices=[("", _("Any source")), *AwardSource.choices],
        required=False,
    )
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=DateInput())
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=DateInput())

    def __init__(self, *args, badge_classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.badge_classes = {str(badge.public_id): badge for badge in badge_classes}
        self.fields["badge"].choices = [("", _("All badges"))] + [
            (key, str(badge)) for key, badge in self.badge_classes.items()
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "badge_class": self.badge_classes.get(data.get("badge") or ""),
            "status": data.get("status") or "",
            "source": data.get("source") or "",
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
        }
