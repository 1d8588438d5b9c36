from django import forms

from verify.forms import BadgeInputForm


class ImportForm(BadgeInputForm):
    """A badge to import: a baked PNG or SVG, a JSON or JWT file, or pasted JSON, JWT or URL."""


class ConfirmImportForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
