from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BadgeState, Visibility
from .services import HANDLE_MAX_LENGTH, MAX_TAG_LENGTH


class PassportFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All badges")), *BadgeState.choices],
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args, tags: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All tags")), *((tag, tag) for tag in tags)]


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who may see this badge"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )


class TagForm(forms.Form):
    tag = forms.CharField(label=_("New tag"), max_length=MAX_TAG_LENGTH)


class ProfileForm(forms.Form):
    handle = forms.SlugField(
        label=_("Handle"),
        max_length=HANDLE_MAX_LENGTH,
        help_text=_("Your page is at /u/your-handle/. Lower-case letters, digits and hyphens."),
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=200,
        required=False,
        help_text=_("One line about you, shown at the top of the page."),
    )
    enabled = forms.BooleanField(
        label=_("Show my public page"),
        required=False,
        help_text=_("It lists only the badges you have accepted and made public."),
    )
