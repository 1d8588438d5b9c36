from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .uploads import MAX_TEXT_CHARS, detect_format, too_large_message


class BadgeInputForm(forms.Form):
    """One badge: a file (baked PNG/SVG, JSON, JWT) or pasted text (JSON, a JWT or a URL).

    `cleaned_data["badge"]` is what to verify (bytes for a file, text otherwise) and
    `cleaned_data["format"]` how it was given.
    """

    file = forms.FileField(
        label=_("Badge file"),
        required=False,
        help_text=_("A baked PNG or SVG image, or a JSON or JWT file."),
    )
    text = forms.CharField(
        label=_("Or paste the badge"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Its JSON, its JWT, or the web address where the issuer publishes it."),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        data = super().clean()
        if self.too_large:
            raise ValidationError(too_large_message(), code="too_large")
        upload = data.get("file")
        text = data.get("text") or ""
        if upload and text:
            raise ValidationError(
                _("Give either a file or pasted text, not both."), code="both_given"
            )
        if upload:
            content = upload.read()
            if not content:
                raise ValidationError(_("The file is empty."), code="empty")
            data["badge"] = content
            data["filename"] = upload.name[:255]
            data["format"] = detect_format(content, from_file=True)
        elif text:
            data["badge"] = text
            data["filename"] = ""
            data["format"] = detect_format(text, from_file=False)
        elif not self.errors:
            raise ValidationError(
                _("Choose a badge file or paste the badge's JSON, JWT or web address."),
                code="missing",
            )
        return data


class VerifyForm(BadgeInputForm):
    email = forms.EmailField(
        label=_("Recipient's email address (optional)"),
        required=False,
        help_text=_("To check that the badge was issued to this address. It is not stored."),
    )
