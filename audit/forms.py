from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """The filters of an organisation's audit log, submitted by GET."""

    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        help_text=_("The start of an action name is enough, for example: invitation"),
    )
    actor = forms.EmailField(label=_("Who (email address)"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(
                _("The start date must be on or before the end date."), code="date_order"
            )
        return cleaned

    def filters(self) -> dict:
        """The selector arguments for a valid form."""
        return {name: self.cleaned_data.get(name) or None for name in self.fields}
