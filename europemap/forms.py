from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import MapFilters, country_choices, kind_choices


class MapFilterForm(forms.Form):
    """The map's and the list's filters, submitted by GET so every view can be linked."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices()]
        self.fields["kind"].choices = [("", _("All types")), *kind_choices()]

    def filters(self) -> MapFilters:
        """The filters of a valid form; none of an invalid one (its errors are shown)."""
        if not self.is_valid():
            return MapFilters()
        return MapFilters(
            country=self.cleaned_data.get("country") or "",
            kind=self.cleaned_data.get("kind") or "",
        )
