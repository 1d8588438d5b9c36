"""Forms of the badge class editor: the badge itself in fieldsets, its image (upload or the
built-in designer), alignment rows and translation rows.

The forms check what a person can get wrong while typing (formats, limits, rows that belong
together); `issuing.services` has the last word and its errors are put back next to the fields
by the view.
"""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from . import designer, images_design
from .models import ACHIEVEMENT_TYPES, BadgeClassVersion

ESCO = "ESCO"
OTHER = "other"
ESCO_SKILL = re.compile(r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9][A-Za-z0-9._-]*$")
ESCO_TARGET_TYPE = "ext:ESCOSkill"

# Languages a badge can be written in: the EU's official languages and some more spoken in
# Europe. Maltese has no Django locale data, hence its own name.
CONTENT_LANGUAGES = [
    *("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it"),
    *("lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "ca", "eu", "gl", "is"),
    *("nb", "uk"),
]


def language_choices() -> list[tuple[str, str]]:
    choices = []
    for code in CONTENT_LANGUAGES:
        if code == "mt":
            choices.append((code, "Malti"))
            continue
        info = get_language_info(code)
        local, translated = capfirst(info["name_local"]), capfirst(str(info["name_translated"]))
        choices.append((code, local if local == translated else f"{local} ({translated})"))
    return sorted(choices, key=lambda choice: choice[1].lower())


PARTICIPATION_FORMS = [
    ("", _("Not stated")),
    ("online", _("Online")),
    ("onsite", _("On site")),
    ("blended", _("Blended (online and on site)")),
]
IMAGE_KEEP = "keep"
IMAGE_UPLOAD = "upload"
IMAGE_DESIGNER = "designer"


class ColourInput(forms.TextInput):
    input_type = "color"


class BadgeClassForm(forms.Form):
    """One badge class version's content, with its image."""

    # Basics
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the badge stands for, in a few sentences."),
    )
    achievement_type = forms.ChoiceField(
        label=_("Kind of achievement"),
        choices=ACHIEVEMENT_TYPES,
        initial="Badge",
        help_text=_("The Open Badges 3.0 achievement type."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, for example: facilitation, digital skills."),
    )
    language = forms.ChoiceField(
        label=_("Language of this content"),
        help_text=_("Translations into other languages can be added further down."),
    )
    # Image
    image_source = forms.ChoiceField(
        label=_("Badge image"), widget=forms.RadioSelect, initial=IMAGE_DESIGNER
    )
    image = forms.FileField(
        label=_("Image file"),
        required=False,
        help_text=_(
            "PNG, JPEG, WebP or SVG, at most 5 MB. Pictures are made square and at most "
            "1024 pixels wide; SVG drawings are cleaned of scripts and outside references."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/svg+xml,.svg"}
        ),
    )
    fit = forms.ChoiceField(
        label=_("If the picture is not square"),
        choices=[
            (images_design.FIT_PAD, _("Add transparent space around it")),
            (images_design.FIT_CROP, _("Cut the middle square out of it")),
        ],
        initial=images_design.FIT_PAD,
        widget=forms.RadioSelect,
    )
    shape = forms.ChoiceField(
        label=_("Shape"), choices=list(designer.SHAPES.items()), initial=designer.DEFAULT.shape
    )
    icon = forms.ChoiceField(
        label=_("Icon"), choices=list(designer.ICONS.items()), initial=designer.DEFAULT.icon
    )
    primary = forms.CharField(
        label=_("Background colour"), widget=ColourInput, initial=designer.DEFAULT.primary
    )
    secondary = forms.CharField(
        label=_("Accent colour"), widget=ColourInput, initial=designer.DEFAULT.secondary
    )
    line1 = forms.CharField(
        label=_("Text, first line"), required=False, max_length=designer.MAX_LINE_LENGTH
    )
    line2 = forms.CharField(
        label=_("Text, second line"), required=False, max_length=designer.MAX_LINE_LENGTH
    )
    # Criteria
    criteria_narrative = forms.CharField(
        label=_("How to earn it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists with - and links [text](https://…)."),
    )
    criteria_url = forms.URLField(
        label=_("Criteria page"),
        required=False,
        assume_scheme="https",
        help_text=_("A web page with the full criteria, if there is one."),
    )
    # Level and EU micro-credential
    eqf_level = forms.TypedChoiceField(
        label=_("EQF level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Not stated"))] + [(level, str(level)) for level in range(1, 9)],
        help_text=_("European Qualifications Framework level, 1 to 8."),
    )
    learning_outcomes = forms.CharField(
        label=_("Learning outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One outcome per line."),
    )
    workload_hours = forms.DecimalField(
        label=_("Workload in hours"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("100000"),
        decimal_places=1,
    )
    ects_credits = forms.DecimalField(
        label=_("ECTS credits"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(1000),
        decimal_places=1,
    )
    assessment_type = forms.CharField(
        label=_("Type of assessment"),
        required=False,
        max_length=200,
        help_text=_("For example: observed practice, written test, portfolio."),
    )
    participation_form = forms.ChoiceField(
        label=_("Form of participation"), required=False, choices=PARTICIPATION_FORMS
    )
    quality_assurance = forms.CharField(
        label=_("Quality assurance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    prerequisites = forms.CharField(
        label=_("Prerequisites"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Awarding
    default_validity_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=36500,
        help_text=_("Awards expire this many days after their issue date. Leave empty: no expiry."),
    )
    allow_duplicates = forms.BooleanField(
        label=_("The same person may receive this badge more than once"), required=False
    )

    FIELDSETS = {
        "basics": ["name", "description", "achievement_type", "tags", "language"],
        "upload": ["image", "fit"],
        "designer": ["shape", "icon", "primary", "secondary", "line1", "line2"],
        "criteria": ["criteria_narrative", "criteria_url"],
        "level": [
            "eqf_level",
            "learning_outcomes",
            "workload_hours",
            "ects_credits",
            "assessment_type",
            "participation_form",
            "quality_assurance",
            "prerequisites",
        ],
        "awarding": ["default_validity_days", "allow_duplicates"],
    }
    MICRO_FIELDS = (
        "workload_hours",
        "ects_credits",
        "assessment_type",
        "participation_form",
        "quality_assurance",
        "prerequisites",
    )

    def __init__(self, *args, editing: bool = False, too_large=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.too_large = set(too_large)
        sources = [
            (IMAGE_UPLOAD, _("Upload an image")),
            (IMAGE_DESIGNER, _("Make one with the designer")),
        ]
        if editing:
            sources.insert(0, (IMAGE_KEEP, _("Keep the current image")))
            self.fields["image_source"].initial = IMAGE_KEEP
        self.fields["image_source"].choices = sources
        languages = language_choices()
        current = self.initial.get("language")
        if current and current not in dict(languages):
            languages.append((current, current))  # set through the API, outside our list
        self.fields["language"].choices = languages
        self.image_bytes: bytes | None = None

    def fieldset(self, name: str):
        return [self[field] for field in self.FIELDSETS[name]]

    # Template access: {% for field in form.basics_fields %}
    basics_fields = property(lambda self: self.fieldset("basics"))
    upload_fields = property(lambda self: self.fieldset("upload"))
    designer_fields = property(lambda self: self.fieldset("designer"))
    criteria_fields = property(lambda self: self.fieldset("criteria"))
    level_fields = property(lambda self: self.fieldset("level"))
    awarding_fields = property(lambda self: self.fieldset("awarding"))

    def clean_tags(self) -> list[str]:
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        if any(len(tag) > 60 for tag in tags):
            raise ValidationError(_("A tag may have at most 60 characters."))
        return list(dict.fromkeys(tags))

    def clean_learning_outcomes(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["learning_outcomes"].splitlines()
            if line.strip()
        ]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if "image" in self.too_large:
            raise ValidationError(images_design.too_large_message())
        # Checked before reading: a huge file is refused without loading it into memory.
        if upload and upload.size > images_design.MAX_UPLOAD_BYTES:
            raise ValidationError(images_design.too_large_message())
        return upload

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("image_source")
        if source == IMAGE_UPLOAD and not self.errors.get("image"):
            upload = cleaned.get("image")
            if not upload:
                self.add_error("image", _("Choose an image file to upload."))
            else:
                try:
                    self.image_bytes = images_design.prepare_badge_image(
                        upload.read(), fit=cleaned.get("fit") or images_design.FIT_PAD
                    )
                except ValidationError as error:
                    self.add_error("image", error)
        elif source == IMAGE_DESIGNER:
            try:
                self.image_bytes = designer.render(self.design())
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        if not cleaned.get("criteria_narrative") and not cleaned.get("criteria_url"):
            self.add_error(
                "criteria_narrative", _("Say how the badge is earned, or link to a criteria page.")
            )
        return cleaned

    def design(self) -> designer.Design:
        data = self.data if self.is_bound else {}
        # Unbound: the design stored with the version being edited (in `initial`), else defaults.
        values = {
            name: data.get(name, self.initial.get(name, self.fields[name].initial))
            for name in self.FIELDSETS["designer"]
        }
        return designer.design_from(values)

    def microcredential(self, kept: dict | None = None) -> dict:
        """The micro-credential details from the form; `kept` holds the current ones, whose
        elements this form does not edit (set through the API) survive the edit."""
        data = self.cleaned_data
        edited = {"learning_outcomes", *self.MICRO_FIELDS}
        micro = {key: value for key, value in (kept or {}).items() if key not in edited}
        if data.get("learning_outcomes"):
            micro["learning_outcomes"] = data["learning_outcomes"]
        for name in self.MICRO_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            micro[name] = value
        return micro

    def version_fields(self, current: BadgeClassVersion | None = None) -> dict:
        """Keyword arguments for badge_class_create / badge_class_update (without alignments
        and translations, which come from their own rows)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "achievement_type": data["achievement_type"],
            "tags": data["tags"],
            "language": data["language"],
            "criteria_narrative": data["criteria_narrative"],
            "criteria_url": data["criteria_url"],
            "eqf_level": data["eqf_level"],
            "microcredential": self.microcredential(current.microcredential if current else None),
            "default_validity_days": data["default_validity_days"],
            "allow_duplicates": data["allow_duplicates"],
        }

    @staticmethod
    def initial_from(version: BadgeClassVersion) -> dict:
        micro = version.microcredential or {}
        initial = {
            "name": version.name,
            "description": version.description,
            "achievement_type": version.achievement_type,
            "tags": ", ".join(version.tags),
            "language": version.language,
            "criteria_narrative": version.criteria_narrative,
            "criteria_url": version.criteria_url,
            "eqf_level": version.eqf_level,
            "learning_outcomes": "\n".join(micro.get("learning_outcomes") or []),
            "default_validity_days": version.default_validity_days,
            "allow_duplicates": version.allow_duplicates,
        }
        for name in BadgeClassForm.MICRO_FIELDS:
            if micro.get(name) not in (None, ""):
                initial[name] = micro[name]
        return initial


class AlignmentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    framework = forms.ChoiceField(
        label=_("Framework"),
        choices=[(ESCO, _("ESCO skill")), (OTHER, _("Other framework"))],
        initial=ESCO,
    )
    framework_name = forms.CharField(
        label=_("Name of the other framework"), required=False, max_length=200
    )
    target_name = forms.CharField(label=_("Skill or competence"), required=False, max_length=300)
    target_url = forms.URLField(
        label=_("Web address (URI)"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=_("For ESCO: http://data.europa.eu/esco/skill/…"),
    )
    target_code = forms.CharField(label=_("Code"), required=False, max_length=100)
    # Set through the API and not edited here; carried along so that an edit keeps them.
    target_type = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    target_description = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(name) for name in ("target_name", "target_url", "target_code"))
        if not filled:
            return cleaned
        if not cleaned.get("target_name"):
            self.add_error("target_name", _("Name the skill or competence."))
        url = cleaned.get("target_url")
        if not url and "target_url" not in self.errors:
            self.add_error("target_url", _("Give the web address (URI) of the skill."))
        if cleaned.get("framework") == ESCO and url and not ESCO_SKILL.match(url):
            self.add_error(
                "target_url",
                _(
                    "An ESCO skill address starts with http://data.europa.eu/esco/skill/ "
                    "(copy it from the ESCO portal)."
                ),
            )
        if cleaned.get("framework") == OTHER and not cleaned.get("framework_name"):
            self.add_error("framework_name", _("Name the framework."))
        return cleaned

    def alignment(self) -> dict | None:
        data = getattr(self, "cleaned_data", {})
        if not data or data.get("DELETE") or not data.get("target_name"):
            return None
        item = {"targetName": data["target_name"], "targetUrl": data["target_url"]}
        if data["framework"] == ESCO:
            item["targetFramework"] = ESCO
            item["targetType"] = ESCO_TARGET_TYPE
        else:
            item["targetFramework"] = data["framework_name"]
            if data.get("target_type"):
                item["targetType"] = data["target_type"]
        if data.get("target_code"):
            item["targetCode"] = data["target_code"]
        if data.get("target_description"):
            item["targetDescription"] = data["target_description"]
        return item

    @staticmethod
    def initial_from(item: dict) -> dict:
        esco = item.get("targetFramework") == ESCO
        return {
            "framework": ESCO if esco else OTHER,
            "framework_name": "" if esco else item.get("targetFramework", ""),
            "target_name": item.get("targetName", ""),
            "target_url": item.get("targetUrl", ""),
            "target_code": item.get("targetCode", ""),
            "target_type": "" if esco else item.get("targetType", ""),
            "target_description": item.get("targetDescription", ""),
        }


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    criteria_narrative = forms.CharField(
        label=_("How to earn it"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    TEXT_FIELDS = ("name", "description", "criteria_narrative")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Choose a language")), *language_choices()]

    def clean(self):
        cleaned = super().clean()
        texts = any(cleaned.get(name) for name in self.TEXT_FIELDS)
        if texts and not cleaned.get("language"):
            self.add_error("language", _("Choose the language of this translation."))
        if cleaned.get("language") and not texts and not cleaned.get("DELETE"):
            self.add_error("name", _("Translate at least the name."))
        return cleaned


class BaseAlignmentFormSet(forms.BaseFormSet):
    def alignments(self) -> list[dict]:
        return [item for form in self.forms if (item := form.alignment())]


class BaseTranslationFormSet(forms.BaseFormSet):
    def __init__(self, *args, content_language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_language = content_language

    def clean(self):
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            language = data.get("language")
            if not language or data.get("DELETE"):
                continue
            if language in seen:
                form.add_error("language", _("This language is translated twice."))
            if language == self.content_language:
                form.add_error(
                    "language", _("This is the language the badge is written in already.")
                )
            seen.add(language)

    def translations(self) -> dict:
        result = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data.get("language") or data.get("DELETE"):
                continue
            texts = {name: data[name] for name in TranslationForm.TEXT_FIELDS if data.get(name)}
            if texts:
                result[data["language"]] = texts
        return result


AlignmentFormSet = forms.formset_factory(
    AlignmentForm,
    formset=BaseAlignmentFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)
TranslationFormSet = forms.formset_factory(
    TranslationForm,
    formset=BaseTranslationFormSet,
    extra=2,
    can_delete=True,
    max_num=40,
    absolute_max=40,
    validate_max=True,
)


def translation_initial(version: BadgeClassVersion) -> list[dict]:
    return [
        {
            "language": language,
            **{name: texts.get(name, "") for name in TranslationForm.TEXT_FIELDS},
        }
        for language, texts in sorted(version.translations.items())
    ]


def default_language(request_language: str | None) -> str:
    code = (request_language or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in CONTENT_LANGUAGES else "en"
