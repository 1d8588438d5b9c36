"""Data Integrity proofs: `DataIntegrityProof` / `eddsa-rdfc-2022` and `Ed25519Signature2020`.

Both suites sign the same thing: SHA-256 of the RDFC-1.0 canonical proof options (the proof
without `proofValue`, under the document's `@context`) followed by SHA-256 of the canonical
document without its proof; the Ed25519 signature is carried as base58btc multibase
(`z…`). Ed25519Signature2020 is the older suite (URDNA2015, which RDFC-1.0 standardised
unchanged); we only verify it.

Verification reports one `ProofResult` per proof instead of raising, so a caller can show why a
credential failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import based58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import jsonld
from .errors import InvalidDocument, OpenBadgesError, ProofError

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
ASSERTION_METHOD = "assertionMethod"

# A base58btc Ed25519 signature (64 bytes) is at most 88 characters; refusing longer values
# bounds the quadratic base58 decoding on hostile input.
_MAX_PROOF_VALUE_LENGTH = 100


@dataclass(frozen=True)
class ProofResult:
    ok: bool
    cryptosuite: str
    verification_method: str
    reason: str
    code: str = ""
    proof_purpose: str = ""
    created: str = ""


def format_datetime(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for an aware datetime (the form the OB 3.0 schema expects)."""
    if moment.tzinfo is None:
        raise ValueError("Datetimes in credentials must be timezone-aware.")
    # isoformat, not strftime: a third of the time, and bulk issuing formats two dates per
    # award. It also writes years below 1000 with the four digits XML Schema requires.
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _contexts(document: dict) -> list:
    context = document.get("@context")
    if isinstance(context, list):
        return list(context)
    if context is None:
        raise InvalidDocument("The document has no @context.", code="jsonld.no_context")
    return [context]


def with_proof_context(document: dict) -> dict:
    """The document with the Data Integrity context added when its contexts lack the terms.

    VC 2.0 defines `DataIntegrityProof` itself; VC 1.1 documents need the Data Integrity
    context, appended last as the suite specification asks.
    """
    contexts = _contexts(document)
    if {jsonld.VC_V2, jsonld.DATA_INTEGRITY_V2, jsonld.DATA_INTEGRITY_V1} & set(
        item for item in contexts if isinstance(item, str)
    ):
        return document
    result = dict(document)
    result["@context"] = [*contexts, jsonld.DATA_INTEGRITY_V2]
    return result


def unsecured(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "proof"}


def proof_options(proof: dict, document_context) -> dict:
    options = {key: value for key, value in proof.items() if key not in ("proofValue", "@context")}
    options["@context"] = document_context
    return options


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_data(canonical_proof_options: str, canonical_document: str) -> bytes:
    """The bytes both suites sign: hash(proof options) ‖ hash(document)."""
    return (
        hashlib.sha256(canonical_proof_options.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def encode_proof_value(signature: bytes) -> str:
    return "z" + based58.b58encode(signature).decode("ascii")


def decode_proof_value(value: object) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError(
            "The proofValue must be a base58btc multibase string starting with 'z'.",
            code="proof.malformed",
        )
    if len(value) > _MAX_PROOF_VALUE_LENGTH:
        raise ProofError("The proofValue is too long.", code="proof.malformed")
    try:
        signature = based58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ProofError("The proofValue is not valid base58btc.", code="proof.malformed") from exc
    if len(signature) != 64:
        raise ProofError(
            "The proofValue does not hold a 64-byte Ed25519 signature.", code="proof.malformed"
        )
    return signature


def new_proof(
    *, verification_method: str, created: str | None, proof_purpose: str = ASSERTION_METHOD
) -> dict:
    return {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": created or format_datetime(datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def attach_proof(document: dict, proof: dict) -> dict:
    """A copy of the document with `proof` appended to its proof set (always an array)."""
    existing = document.get("proof")
    proofs = [] if existing is None else existing if isinstance(existing, list) else [existing]
    result = dict(document)
    result["proof"] = [*proofs, proof]
    return result


def sign_eddsa_rdfc_2022(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    safe_mode: bool = True,
) -> dict:
    """Return a new document carrying an eddsa-rdfc-2022 DataIntegrityProof.

    Refuses (UndefinedTerm) a document with terms its contexts do not define, because the
    signature would not cover them. Existing proofs are kept as a proof set and not signed over.
    """
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 private key.", code="proof.key_type")
    if not isinstance(document, dict):
        raise InvalidDocument("A credential must be a JSON object.")
    document = with_proof_context(document)
    body = unsecured(document)
    if safe_mode:
        jsonld.check_safe_mode(body)
    proof = new_proof(
        verification_method=verification_method, created=created, proof_purpose=proof_purpose
    )
    data = hash_data(
        jsonld.canonicalize(proof_options(proof, body["@context"])), jsonld.canonicalize(body)
    )
    proof["proofValue"] = encode_proof_value(private_key.sign(data))
    return attach_proof(document, proof)


def _failure(proof: dict, reason: str, code: str) -> ProofResult:
    return ProofResult(
        ok=False,
        cryptosuite=_suite_of(proof),
        verification_method=str(proof.get("verificationMethod", "")),
        reason=reason,
        code=code,
        proof_purpose=str(proof.get("proofPurpose", "")),
        created=str(proof.get("created", "")),
    )


def _suite_of(proof: dict) -> str:
    if proof.get("type") == DATA_INTEGRITY_PROOF:
        return str(proof.get("cryptosuite", ""))
    return str(proof.get("type", ""))


def check_proof_shape(proof: object, expected_purpose: str) -> tuple[str, str] | None:
    """None when the proof can be checked cryptographically, else (reason, code)."""
    if not isinstance(proof, dict):
        return "The proof is not a JSON object.", "proof.malformed"
    kind = proof.get("type")
    if kind == DATA_INTEGRITY_PROOF:
        if proof.get("cryptosuite") != EDDSA_RDFC_2022:
            return (
                f"Unsupported cryptosuite {proof.get('cryptosuite')!r}.",
                "proof.unsupported_suite",
            )
    elif kind != ED25519_SIGNATURE_2020:
        return f"Unsupported proof type {kind!r}.", "proof.unsupported_suite"
    if not isinstance(proof.get("verificationMethod"), str):
        return "The proof names no verification method.", "proof.malformed"
    if proof.get("proofPurpose") != expected_purpose:
        return (
            f"The proof purpose is {proof.get('proofPurpose')!r}, not {expected_purpose!r}.",
            "proof.purpose",
        )
    return None


def verify_proof(
    body: dict,
    proof: dict,
    *,
    canonical_document: str | None,
    resolve_public_key: Callable[[str], object],
    expected_purpose: str = ASSERTION_METHOD,
) -> ProofResult:
    """Check one proof over an unsecured document (`canonical_document` may be precomputed)."""
    problem = check_proof_shape(proof, expected_purpose)
    if problem is not None:
        return _failure(proof if isinstance(proof, dict) else {}, *problem)
    method = proof["verificationMethod"]
    try:
        signature = decode_proof_value(proof.get("proofValue"))
        options = proof_options(proof, body["@context"])
        # An undefined proof term would be dropped from the signed data, so refuse it.
        jsonld.check_safe_mode(options)
        canonical_options = jsonld.canonicalize(options)
        if canonical_document is None:
            canonical_document = jsonld.canonicalize(body)
    except OpenBadgesError as error:
        return _failure(proof, error.message, error.code)
    return check_signature(
        proof,
        hash_data(canonical_options, canonical_document),
        signature,
        method,
        resolve_public_key,
    )


def check_signature(
    proof: dict,
    data: bytes,
    signature: bytes,
    method: str,
    resolve_public_key: Callable[[str], object],
) -> ProofResult:
    try:
        public_key = resolve_public_key(method)
    except OpenBadgesError as error:
        return _failure(proof, error.message, error.code)
    if not isinstance(public_key, Ed25519PublicKey):
        return _failure(proof, "The verification method is not an Ed25519 key.", "proof.key_type")
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return _failure(
            proof,
            "The signature does not match the credential: it was altered or signed by another key.",
            "proof.bad_signature",
        )
    return ProofResult(
        ok=True,
        cryptosuite=_suite_of(proof),
        verification_method=method,
        reason="The signature is valid.",
        code="proof.valid",
        proof_purpose=str(proof.get("proofPurpose", "")),
        created=str(proof.get("created", "")),
    )


def proofs_of(document: dict) -> list:
    proofs = document.get("proof")
    if proofs is None:
        return []
    return proofs if isinstance(proofs, list) else [proofs]


def verify_data_integrity(
    document: dict,
    *,
    resolve_public_key: Callable[[str], object],
    expected_purpose: str = ASSERTION_METHOD,
) -> list[ProofResult]:
    """Verify every eddsa-rdfc-2022 / Ed25519Signature2020 proof of the document.

    Returns one result per proof (empty when there is none). `resolve_public_key` maps a
    verification method id to a public key and raises an OpenBadgesError when it cannot.
    Safe mode over the document itself is the caller's check (it is one per document, not one
    per proof).
    """
    if not isinstance(document, dict):
        raise InvalidDocument("A credential must be a JSON object.")
    body = unsecured(document)
    canonical_document: str | None = None
    results = []
    for proof in proofs_of(document):
        if canonical_document is None and check_proof_shape(proof, expected_purpose) is None:
            try:
                canonical_document = jsonld.canonicalize(body)
            except OpenBadgesError as error:
                results.append(_failure(proof, error.message, error.code))
                continue
        results.append(
            verify_proof(
                body,
                proof,
                canonical_document=canonical_document,
                resolve_public_key=resolve_public_key,
                expected_purpose=expected_purpose,
            )
        )
    return results
