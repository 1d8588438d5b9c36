"""Validation against the official 1EdTech OB 3.0 JSON Schemas shipped in `schemas/`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError

from .errors import SchemaViolation

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"

KINDS = {
    "achievementcredential": "achievementcredential.json",
    "endorsementcredential": "endorsementcredential.json",
    "profile": "profile.json",
    "getopenbadgecredentialsresponse": "getopenbadgecredentialsresponse.json",
    "imsx_statusinfo": "imsx_statusinfo.json",
}

# Enough to act on; a hostile document could otherwise produce thousands of messages.
MAX_PROBLEMS = 20


@cache
def validator(kind: str) -> Draft201909Validator:
    """The compiled validator for one schema kind (compiled once per process)."""
    try:
        filename = KINDS[kind]
    except KeyError:
        raise ValueError(
            f"Unknown schema kind {kind!r}; expected one of {sorted(KINDS)}."
        ) from None
    with (SCHEMAS_DIR / filename).open(encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def _location(error: ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts) or "(document)"


def problems(document: object, kind: str = "achievementcredential") -> list[str]:
    """Readable problems ("credentialSubject.achievement: 'criteria' is a required property")."""
    errors = sorted(
        validator(kind).iter_errors(document),
        key=lambda error: (list(map(str, error.absolute_path)), error.message),
    )
    found = []
    for error in errors:
        # `oneOf`/`anyOf` failures are clearer through their most specific sub-error.
        best = error
        if error.context:
            best = min(error.context, key=lambda sub: (-len(sub.absolute_path), sub.message))
        found.append(f"{_location(best)}: {best.message}")
        if len(found) >= MAX_PROBLEMS:
            break
    return list(dict.fromkeys(found))


def validate(document: object, kind: str = "achievementcredential") -> None:
    """Raise SchemaViolation listing every problem when the document breaks the schema."""
    found = problems(document, kind)
    if found:
        error = SchemaViolation(
            "The document does not follow the Open Badges 3.0 schema: " + "; ".join(found)
        )
        error.problems = found
        raise error
