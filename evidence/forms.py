from django import forms
from django.utils.translation import gettext_lazy as _

from .files import ACCEPT_ATTRIBUTE
from .models import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """Only the browser's side of an upload: the files are read from request.FILES by the view,
    after the size-limiting upload handler has seen them."""

    files = forms.FileField(
        label=_("Files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True}),
        help_text=_(
            "Images (JPEG, PNG, GIF, WebP), PDF, videos (MP4, MOV, WebM) and office documents. "
            "You can choose several files at once."
        ),
    )


class LinkForm(forms.Form):
    url = forms.URLField(label=_("Web address"), max_length=2000, assume_scheme="https")
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvidenceEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
