"""Forms of the campaign pages. They check what a person can correct on the page; the services
check everything again and stay the authority."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from issuing.models import BadgeClass

from . import countries
from .models import Initiative, InitiativeKind, Pledge
from .services import MAX_PLEDGE

MAX_LOGO_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _language_name(code: str) -> str:
    try:
        return translation.get_language_info(code)["name_local"]
    except KeyError:
        return code


def _language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


class InitiativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *InitiativeKind.choices])
    language = forms.ChoiceField(
        label=_("Language of the description"),
        choices=_language_choices,
        initial="en",
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the initiative does and who it recognises, in a few sentences."),
    )
    translation_language = forms.ChoiceField(
        label=_("Also in"),
        choices=[("", _("No translation")), *settings.LANGUAGES],
        required=False,
        help_text=_("Visitors see the description in their language when there is one."),
    )
    translation_name = forms.CharField(label=_("Translated name"), max_length=200, required=False)
    translation_description = forms.CharField(
        label=_("Translated description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    country = forms.ChoiceField(label=_("Country"))
    city = forms.CharField(label=_("City or town"), max_length=100, required=False)
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        help_text=_("Decimal degrees from -90 to 90, for example 58.378025 (Tartu)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-map-latitude": ""}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        help_text=_("Decimal degrees from -180 to 180, for example 26.729094."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-map-longitude": ""}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or SVG, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/svg+xml"}),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that belong to it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their badges count towards the initiative's pledges."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries.country_choices()]
        if organisations is None or not organisations.exists():
            del self.fields["organisations"]
        else:
            self.fields["organisations"].queryset = organisations

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 2 MB."))
        return logo

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("translation_language")
        if language and language == cleaned.get("language"):
            self.add_error(
                "translation_language", _("Choose a language other than the description's.")
            )
        translated = (cleaned.get("translation_name") or "").strip() or (
            cleaned.get("translation_description") or ""
        ).strip()
        if language and not translated:
            self.add_error(
                "translation_description", _("Write the translation, or choose no language.")
            )
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        translations = {}
        if data.get("translation_language"):
            translations[data["translation_language"]] = {
                "name": data.get("translation_name", ""),
                "description": data.get("translation_description", ""),
            }
        logo = data.get("logo")
        return {
            "name": data["name"],
            "kind": data["kind"],
            "language": data["language"],
            "description": data["description"],
            "translations": translations,
            "country": data["country"],
            "city": data.get("city", ""),
            "latitude": data.get("latitude", ""),
            "longitude": data.get("longitude", ""),
            "website": data.get("website", ""),
            "contact_name": data.get("contact_name", ""),
            "contact_email": data.get("contact_email", ""),
            "logo": logo.read() if logo else None,
            "organisations": list(data.get("organisations") or []),
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a rejection; the proposer sees it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection."))
        return cleaned


class PledgeForm(forms.Form):
    badge_count = forms.IntegerField(label=_("Number of badges"), min_value=1, max_value=MAX_PLEDGE)
    starts_on = forms.DateField(
        label=_("Counting from"),
        widget=DateInput,
        help_text=_("Badges awarded from this day on count towards the pledge."),
    )
    deadline = forms.DateField(label=_("By"), widget=DateInput)
    theme = forms.CharField(
        label=_("Theme"),
        max_length=200,
        required=False,
        help_text=_("For example “digital skills” or “volunteering” (optional)."),
    )
    badge_classes = forms.ModelMultipleChoiceField(
        label=_("Only these badges"),
        queryset=BadgeClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to count every badge of the initiative's organisations."),
    )
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=None,
        required=False,
        empty_label=_("The initiative as a whole"),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"),
        queryset=Pledge.objects.none(),
        required=False,
        empty_label=_("Nothing: an additional pledge"),
        to_field_name="public_id",
        help_text=_("A replaced pledge is withdrawn and stays in the history."),
    )

    def __init__(self, *args, initiative: Initiative, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["deadline"].initial = today + timedelta(days=365)
        self.fields["badge_classes"].queryset = (
            BadgeClass.objects.filter(organisation__in=initiative.organisations.all())
            .select_related("current_version", "organisation")
            .order_by("organisation__name", "current_version__name")
        )
        self.fields["badge_classes"].label_from_instance = lambda badge_class: (
            f"{badge_class.current_version.name} ({badge_class.organisation.name})"
        )
        self.fields["organisation"].queryset = organisations
        self.fields["replaces"].queryset = initiative.pledges.filter(withdrawn_at__isnull=True)
        self.fields["replaces"].label_from_instance = lambda pledge: (
            ngettext(
                "%(count)s badge by %(deadline)s",
                "%(count)s badges by %(deadline)s",
                pledge.badge_count,
            )
            % {"count": f"{pledge.badge_count:,}", "deadline": pledge.deadline.isoformat()}
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, deadline = cleaned.get("starts_on"), cleaned.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error("deadline", _("The deadline must not be before the start."))
        return cleaned


class SupportForm(forms.Form):
    """ "Pledge your support": an organisation joins an initiative or proposes a new one."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    initiative = forms.ModelChoiceField(
        label=_("Initiative to join"),
        queryset=None,
        to_field_name="public_id",
        empty_label="—",
    )
    message = forms.CharField(
        label=_("Message to the initiative"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations, initiatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["initiative"].queryset = initiatives
        self.fields["initiative"].label_from_instance = lambda initiative: (
            f"{initiative.display_name} ({countries.country_name(initiative.country)})"
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("System name"),
        max_length=100,
        help_text=_("The system that will report with this token, for example “Moodle”."),
    )


class InitiativeEditForm(InitiativeForm):
    """The initiative's page details changed by its proposer or managers: one name and
    description field pair per site language for the translations, a box to remove the logo.
    Name and type are read-only when the person may not change them (services decide)."""

    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args, initiative: Initiative, reviewed_fields_editable: bool, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                **{
                    name: getattr(initiative, name)
                    for name in (
                        "name",
                        "kind",
                        "language",
                        "description",
                        "country",
                        "city",
                        "website",
                        "contact_name",
                        "contact_email",
                    )
                },
                "latitude": "" if initiative.latitude is None else str(initiative.latitude),
                "longitude": "" if initiative.longitude is None else str(initiative.longitude),
                **{
                    f"translation_{code}_{key}": texts.get(key, "")
                    for code, texts in (initiative.translations or {}).items()
                    for key in ("name", "description")
                },
            },
        )
        super().__init__(*args, organisations=None, **kwargs)
        self.initiative = initiative
        for name in ("translation_language", "translation_name", "translation_description"):
            del self.fields[name]
        site_languages = {code for code, _name in settings.LANGUAGES}
        if initiative.language not in site_languages:
            # A description in a language the site does not speak (the demo's Estonian) keeps it.
            self.fields["language"].choices = [
                *self.fields["language"].choices,
                (initiative.language, _language_name(initiative.language)),
            ]
        self.translation_languages = []
        for code, language_name in settings.LANGUAGES:
            self.fields[f"translation_{code}_name"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language_name},
                max_length=200,
                required=False,
            )
            self.fields[f"translation_{code}_description"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": language_name},
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.translation_languages.append(
                (
                    language_name,
                    self[f"translation_{code}_name"],
                    self[f"translation_{code}_description"],
                )
            )
        self.fields["logo"].help_text = _("PNG or SVG, at most 2 MB; replaces the current logo.")
        if not initiative.logo:
            del self.fields["remove_logo"]
        if not reviewed_fields_editable:
            for name in ("name", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Approved under this; the platform administrators can change it."
                )

    def clean(self):
        return forms.Form.clean(self)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        # Translations into languages the form does not show are kept as they are.
        translations = dict(self.initiative.translations or {})
        translations.update(
            {
                code: {
                    "name": data.get(f"translation_{code}_name", ""),
                    "description": data.get(f"translation_{code}_description", ""),
                }
                for code, _name in settings.LANGUAGES
            }
        )
        logo = data.get("logo")
        return {
            "name": data["name"],
            "kind": data["kind"],
            "language": data["language"],
            "description": data["description"],
            "translations": translations,
            "country": data["country"],
            "city": data.get("city", ""),
            "latitude": data.get("latitude", ""),
            "longitude": data.get("longitude", ""),
            "website": data.get("website", ""),
            "contact_name": data.get("contact_name", ""),
            "contact_email": data.get("contact_email", ""),
            "logo": logo.read() if logo else None,
            "remove_logo": bool(data.get("remove_logo")),
        }


class CampaignSettingsForm(forms.Form):
    supporter_badge = forms.ModelChoiceField(
        label=_("Supporter badge"),
        queryset=BadgeClass.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("None chosen here (the server's default)"),
        help_text=_(
            "Everyone who holds this badge counts as a supporter of the campaign, for example "
            "the claimable “I support #BadgeEurope” badge."
        ),
    )
    goal = forms.IntegerField(
        label=_("Goal"),
        min_value=1,
        required=False,
        help_text=_("Badges the campaign aims for first. Empty: the server's default."),
    )
    next_goal = forms.IntegerField(
        label=_("Next goal"),
        min_value=1,
        required=False,
        help_text=_("Shown once the first goal is reached. Empty: the server's default."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter_badge"].queryset = (
            BadgeClass.objects.filter(archived_at__isnull=True)
            .select_related("current_version", "organisation")
            .order_by("organisation__name", "current_version__name")
        )
        self.fields["supporter_badge"].label_from_instance = lambda badge_class: (
            f"{badge_class.current_version.name} ({badge_class.organisation.name})"
        )
