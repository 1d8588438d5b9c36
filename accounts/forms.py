import re

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role, User

DESCRIPTION_MAX_LENGTH = 5000
ORGANISATION_PROFILE_FIELDS = ["name", "kind", "description", "website", "email", "country", "city"]


class OrganisationForm(forms.ModelForm):
    """The public profile. Validation of uniqueness and formats is the model's."""

    class Meta:
        model = Organisation
        fields = ORGANISATION_PROFILE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "description": _("Who you are and what your badges recognise. Shown publicly."),
            "email": _("A public address for questions about your badges."),
            "country": _("Two-letter country code, for example FI, FR or DE."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A profile, not a document: long enough for a few paragraphs, short enough to read.
        self.fields["description"].validators.append(MaxLengthValidator(DESCRIPTION_MAX_LENGTH))
        self.fields["description"].widget.attrs["maxlength"] = str(DESCRIPTION_MAX_LENGTH)

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError(_("Please enter a two-letter country code such as FR."))
        return country


class OrganisationCreateForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["name", "slug", *ORGANISATION_PROFILE_FIELDS[1:]]
        help_texts = {
            **OrganisationForm.Meta.help_texts,
            "slug": _(
                "Used in the address of your public page (/o/short-name/): lowercase letters, "
                "digits and hyphens. It cannot be changed later."
            ),
        }

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].strip().lower()


def role_choices(*, may_manage_owners: bool) -> list[tuple[str, str]]:
    return [
        (value, label) for value, label in Role.choices if may_manage_owners or value != Role.OWNER
    ]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), initial=Role.AWARDER)

    def __init__(self, *args, may_manage_owners: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(may_manage_owners=may_manage_owners)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DeleteOrganisationForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the short name of the organisation to confirm"), max_length=80
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.organisation.slug:
            raise forms.ValidationError(
                _("This is not the short name of the organisation (%(slug)s)."),
                params={"slug": self.organisation.slug},
            )
        return value


class AccountSettingsForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        help_text=_("Pages and emails are shown in this language."),
    )

    class Meta:
        model = User
        fields = ["name", "language"]
        help_texts = {"name": _("Shown to the organisations you belong to and on your badges.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("As set in my browser")),
            *settings.LANGUAGES,
        ]
