"""Reading award CSV files as people really make them.

Spreadsheets export in many ways: UTF-8 with or without a byte order mark, UTF-16 (Excel's
"Unicode text"), Windows-1252 from older Excel on Windows; commas, semicolons (locales with a
decimal comma) or tabs; headers in any case, with spaces, or in French or German. The file is
read as a stream so 100,000 rows never sit in memory at once.

Encoding detection is deterministic rather than statistical (no charset guessing library): a
byte order mark is definitive, a strict UTF-8 decoding pass over the whole file is definitive
for UTF-8, and what remains is by far most often Windows-1252 (Latin-1 for the five bytes it
leaves undefined). A statistical guess between single-byte code pages on short name lists is
wrong often enough to mangle names silently.
"""

import codecs
import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
SAMPLE = 64 * 1024
DELIMITERS = (",", ";", "\t")
# The five bytes Windows-1252 does not define; a file holding them is read as Latin-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")

# Column → accepted header names, compared without case, spaces or punctuation.
COLUMNS = {
    "email": ("email", "emailaddress", "mail", "recipient", "recipientemail", "courriel",
              "adresseemail", "adressecourriel", "emailadresse", "mailadresse"),
    "name": ("name", "fullname", "recipientname", "nom", "nomcomplet", "vollername",
             "namevorname"),
    "narrative": ("narrative", "comment", "note", "narration", "commentaire", "bemerkung",
                  "begrundung", "begründung", "kommentar"),
    "evidence_url": ("evidenceurl", "evidence", "evidencelink", "preuve", "urldelapreuve",
                     "lienpreuve", "nachweis", "nachweisurl", "nachweislink"),
    "issue_date": ("issuedate", "issuedon", "issued", "date", "awarddate", "datedemission",
                   "datedelivrance", "datededélivrance", "datedémission", "ausstellungsdatum",
                   "datum", "vergabedatum"),
    "language": ("language", "lang", "locale", "langue", "sprache"),
}  # fmt: skip
REQUIRED = ("email",)
_HEADER_INDEX = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


def column_label(column: str) -> str:
    return {
        "email": _("email"),
        "name": _("name"),
        "narrative": _("narrative"),
        "evidence_url": _("evidence URL"),
        "issue_date": _("issue date"),
        "language": _("language"),
    }[column]


def _header_key(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def detect_encoding(stream) -> str:
    """The encoding of a binary stream (read to the end, then rewound). Raises ValidationError
    for files that are not text."""
    stream.seek(0)
    head = stream.read(SAMPLE)
    if not head.strip():
        raise ValidationError(_("The file is empty."))
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            raise ValidationError(
                _("This is not a CSV text file. Export the spreadsheet as CSV and try again.")
            )
        encoding = "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        undefined_in_cp1252 = False
        chunk = head
        while chunk:
            undefined_in_cp1252 = undefined_in_cp1252 or bool(_CP1252_UNDEFINED.search(chunk))
            if encoding == "utf-8":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "cp1252"
            chunk = stream.read(CHUNK)
        if encoding == "utf-8":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
        if encoding == "cp1252" and undefined_in_cp1252:
            encoding = "latin-1"
    stream.seek(0)
    return encoding


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of the header line: the candidate that splits it most (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@dataclass
class Header:
    positions: dict[str, int]  # column → index in the row
    warnings: list[str] = field(default_factory=list)


def read_header(cells: list[str]) -> Header:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        column = _HEADER_INDEX.get(_header_key(cell))
        if column is None:
            if cell.strip():
                ignored.append(cell.strip())
        elif column in positions:
            repeated.append(cell.strip())
        else:
            positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ValidationError(
            _(
                "The file has no %(columns)s column. The first row must name the columns, "
                "for example: email, name, narrative, evidence URL, issue date, language."
            )
            % {"columns": ", ".join(column_label(column) for column in missing)}
        )
    warnings = []
    if ignored:
        warnings.append(
            _("These columns are not used and were ignored: %(columns)s.")
            % {"columns": ", ".join(ignored[:20])}
        )
    if repeated:
        warnings.append(
            _("These columns repeat an earlier one and were ignored: %(columns)s.")
            % {"columns": ", ".join(repeated[:20])}
        )
    return Header(positions=positions, warnings=warnings)


@dataclass
class ParsedFile:
    encoding: str
    delimiter: str
    header: Header
    rows: Iterator[tuple[int, dict[str, str]]]  # (row number, column → text)


def open_csv(stream) -> ParsedFile:
    """Detect the encoding and delimiter, read the header and return an iterator over the data
    rows (blank lines skipped). Raises ValidationError for files that cannot be read."""
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    try:
        first_line = text.readline()
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file's text could not be read in any known encoding.")
        ) from None
    if not first_line.strip():
        raise ValidationError(_("The first row must name the columns; it is empty."))
    delimiter = sniff_delimiter(first_line)
    header_cells = next(csv.reader([first_line], delimiter=delimiter), [])
    header = read_header(header_cells)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for cells in reader:
                # reader.line_num counts physical lines (quoted cells may span several); the
                # header was line 1.
                number = reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                yield (
                    number,
                    {
                        column: cells[index].strip() if index < len(cells) else ""
                        for column, index in header.positions.items()
                    },
                )
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file's text could not be read in any known encoding.")
            ) from None
        except csv.Error as exc:
            raise ValidationError(
                _("Row %(row)s could not be read as CSV: %(reason)s")
                % {"row": reader.line_num + 1, "reason": exc}
            ) from None

    return ParsedFile(encoding=encoding, delimiter=delimiter, header=header, rows=rows())


def parse_date(text: str) -> date:
    """A date in one of the usual spellings (2026-03-31, 31.03.2026, 31/03/2026)."""
    parsed = _parse_date(text.strip())
    if parsed is None:
        raise ValidationError(
            _("%(value)s is not a date; write it as 2026-03-31 or 31.03.2026.")
            % {"value": text.strip()[:40]}
        )
    return parsed


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> date | None:
    # Cached: a file usually repeats a handful of dates over thousands of rows.
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None
