"""Bulk award tests reuse the issuing personas (an organisation with a member in every role, an
outsider) and its badge class fixture."""

from django.core.files.uploadedfile import SimpleUploadedFile

from issuing.tests.conftest import BADGE_FIELDS, badge, media_and_site, png_bytes, w  # noqa: F401


def csv_upload(text: str | bytes, name: str = "awards.csv", encoding: str = "utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def csv_text(
    count: int,
    start: int = 0,
    delimiter: str = ",",
    domain: str = "example.org",
    evidence: bool = False,
) -> str:
    """A CSV of `count` learners. Evidence links are optional: issuing signs awards with
    evidence through full canonicalisation (tens of milliseconds each), the others through the
    badge class's template, so large tests leave evidence out."""
    columns = ["email", "name", "issue date"] + (["narrative", "evidence url"] if evidence else [])
    lines = [delimiter.join(columns)]
    for number in range(start, start + count):
        cells = [f"learner{number}@{domain}", f"Learner {number}", "2026-01-15"]
        if evidence:
            cells += ["Completed the workshop series", f"https://evidence.example.org/{number}"]
        lines.append(delimiter.join(cells))
    return "\n".join(lines) + "\n"
