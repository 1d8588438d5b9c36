"""Exceptions raised by the openbadges library.

Every error carries a stable `code` (for programs and translations) and a plain-language message
for people. Callers in the web application translate by `code`.
"""


class OpenBadgesError(Exception):
    code = "openbadges.error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidDocument(OpenBadgesError):
    """The document is not well-formed or does not follow the standard's rules."""

    code = "document.invalid"


class UndefinedTerm(InvalidDocument):
    """A property is not defined by the document's JSON-LD contexts (safe mode)."""

    code = "jsonld.undefined_term"


class SchemaViolation(InvalidDocument):
    """The document does not validate against the official JSON Schema."""

    code = "schema.invalid"


class ProofError(OpenBadgesError):
    """A proof or signature could not be created or does not verify."""

    code = "proof.invalid"


class InvalidKey(OpenBadgesError):
    """A key is malformed, of an unsupported type, or cannot be resolved."""

    code = "key.invalid"


class BakingError(OpenBadgesError):
    """An image cannot be baked or unbaked (malformed, oversized or hostile input)."""

    code = "baking.invalid"


class FetchError(OpenBadgesError):
    """A remote document could not be fetched safely."""

    code = "fetch.failed"
