from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .services import MAX_FILE_SIZE, MAX_ROWS


def _file_help_text() -> str:
    # Called when the form is shown: `_(…) % …` in the class body would run once, at
    # import, and freeze the English text.
    return _(
        "One row per recipient. Columns: email (required), name, narrative, evidence URL, "
        "issue date (2026-03-31 or 31.03.2026), language (en, fr, de, it, es, fi). "
        "Up to %(rows)s rows and %(size)s MB; UTF-8, UTF-16 or Windows encoding; commas, "
        "semicolons or tabs."
    ) % {"rows": f"{MAX_ROWS:,}", "size": MAX_FILE_SIZE // (1024 * 1024)}


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=lazy(_file_help_text, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before anything is read: a huge upload is refused from its declared size.
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is too large. Files may have at most %(max)s MB.")
                % {"max": MAX_FILE_SIZE // (1024 * 1024)}
            )
        return upload
