"""Benchmark: Data Integrity (eddsa-rdfc-2022) signing and verification (not a test).

    uv run python bench/bench_signing.py [--seconds 1.0] [--rounds 7] [--equality 10000]

Measures, in one run and on one core: raw Ed25519 signing and verification of the 64 bytes the
suite signs; the full eddsa-rdfc-2022 algorithm (safe mode, two RDFC-1.0 canonicalisations,
signature); the per-badge-class template (`openbadges.template`); and verification of a known
shape through the template cache. Every rate is printed with its ratio to raw Ed25519 signing
measured in the same run, since absolute figures drift on shared machines.

Before timing, it proves the template canonical form byte-identical to the full algorithm on
`--equality` random recipients (unicode, quotes, backslashes, tabs, newlines, emoji, RTL) and
stops with an error if a single one differs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import dataintegrity, documents, jsonld, recipient, template

METHOD = "did:web:badges.example.eu:issuers:acme#key-1"
VARIABLES = [
    "id",
    "credentialSubject.identifier.0.identityHash",
    "credentialSubject.identifier.0.salt",
    "validFrom",
    "awardedDate",
]
TARGET_TEMPLATE_SIGNS = 10_000
TARGET_TEMPLATE_VERIFIES = 5_000
ALPHABET = (
    "abcXYZ019 .,;:-_'\"\\\t\n\r{}<>%#&éüßøçñΩжщ中文字日本語한국어"
    "שלום עולם مرحبا\u200f\u202e\u200d😀🎓🇪🇺👩🏽‍🎓"
)


def typical_credential() -> dict:
    """An OB 3.0 credential as Badge Europe issues it (about 1.6 KB of JSON)."""
    issuer = documents.profile(
        id="https://badges.example.eu/issuers/acme",
        name="ACME Academy",
        url="https://acme-academy.example.eu",
        email="badges@acme-academy.example.eu",
        image=documents.image("https://badges.example.eu/issuers/acme/logo.png"),
    )
    achievement = documents.achievement(
        id="https://badges.example.eu/achievements/data-literacy-basics",
        name="Data Literacy Basics",
        description="Reads, cleans and charts small tabular data sets.",
        criteria=documents.criteria(narrative="Pass the final assessment with at least 70%."),
        image="https://badges.example.eu/achievements/data-literacy-basics/image.png",
        achievement_type="Badge",
        alignments=[
            documents.alignment(
                target_name="analyse big data",
                target_url="http://data.europa.eu/esco/skill/2b7e8a8c-5b34-4c36-9f3d-6c3b1d0b8f0a",
                target_framework="ESCO",
            )
        ],
        tags=["data", "digital skills"],
    )
    return documents.open_badge_credential(
        id="urn:uuid:00000000-0000-4000-8000-000000000000",
        issuer=issuer,
        achievement=achievement,
        valid_from=datetime(2025, 3, 1, 9, tzinfo=UTC),
        awarded_date=datetime(2025, 3, 1, 9, tzinfo=UTC),
        recipient=recipient.ob3_identity_object("learner@example.eu", salt="pepper42"),
    )


def random_values(rng: random.Random, *, wild: bool) -> list[str]:
    """Values for VARIABLES; `wild` puts hostile text in the salt (a free-text literal)."""
    moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**8))
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    salt = (
        "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))
        if wild
        else os.urandom(16).hex()
    )
    email = f"learner{rng.randint(0, 10**9)}@example.eu"
    return [
        f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        recipient.hash_identity(email, salt),
        salt,
        stamp,
        stamp,
    ]


def timed_slice(operation: Callable[[int], object], seconds: float, minimum: int = 5) -> float:
    """Operations per second over a slice of about `seconds` (at least `minimum` operations)."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        operation(count)
        count += 1
        now = time.perf_counter()
        if now >= deadline and count >= minimum:
            return count / (now - start)


def measure(
    operations: list[tuple[str, Callable[[int], object]]], seconds: float, rounds: int
) -> list[tuple[str, float, float]]:
    """(name, median ops/s, median ratio to the first operation) per operation.

    The operations run in turn, round after round, and each ratio is taken within one round, so
    load from other processes on a shared machine affects both sides of a ratio alike.
    """
    per_round: list[list[float]] = [[] for _ in operations]
    for _ in range(rounds):
        for index, (_name, operation) in enumerate(operations):
            per_round[index].append(timed_slice(operation, seconds / rounds))
    reference = per_round[0]
    return [
        (
            name,
            statistics.median(rates),
            statistics.median(r / base for r, base in zip(rates, reference, strict=True)),
        )
        for (name, _), rates in zip(operations, per_round, strict=True)
    ]


def prove_equality(shape: template.CredentialTemplate, count: int) -> None:
    rng = random.Random(20251127)
    started = time.perf_counter()
    for number in range(count):
        values = random_values(rng, wild=True)
        document = shape.build_document(values)
        if shape.canonicalize(values) != jsonld.canonicalize(document):
            raise SystemExit(f"template differs from the full algorithm for {values!r}")
        if number and number % 2000 == 0:
            print(f"  … {number} identical", flush=True)
    elapsed = time.perf_counter() - started
    assert shape.fallbacks == 0, "unexpected blank node hash collision"
    print(
        f"Byte equality with full RDFC-1.0: {count} random recipients identical ({elapsed:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per operation, all rounds")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--equality", type=int, default=10_000)
    arguments = parser.parse_args()

    key = Ed25519PrivateKey.generate()
    public_key = key.public_key()
    example = typical_credential()
    shape = template.CredentialTemplate.for_document(example, VARIABLES)
    cache = template.TemplateCache([shape])
    resolve = {METHOD: public_key}.__getitem__

    if arguments.equality:
        prove_equality(shape, arguments.equality)

    rng = random.Random(1)
    batch = [random_values(rng, wild=False) for _ in range(2000)]
    created = "2025-03-01T09:00:00Z"
    signed = [
        template.sign_with_template(
            shape, values, private_key=key, verification_method=METHOD, created=created
        )
        for values in batch[:500]
    ]
    full_signed = signed[0]
    assert template.sign_with_template(
        shape, batch[0], private_key=key, verification_method=METHOD, created=created
    ) == dataintegrity.sign_eddsa_rdfc_2022(
        shape.build_document(batch[0]), private_key=key, verification_method=METHOD, created=created
    )
    message = os.urandom(64)
    signature = key.sign(message)

    operations: list[tuple[str, Callable[[int], object]]] = [
        ("raw Ed25519 sign (64 bytes)", lambda _: key.sign(message)),
        ("raw Ed25519 verify", lambda _: public_key.verify(signature, message)),
        (
            "eddsa-rdfc-2022 sign, full algorithm",
            lambda n: dataintegrity.sign_eddsa_rdfc_2022(
                shape.build_document(batch[n % len(batch)]),
                private_key=key,
                verification_method=METHOD,
                created=created,
            ),
        ),
        (
            "eddsa-rdfc-2022 sign, template",
            lambda n: template.sign_with_template(
                shape,
                batch[n % len(batch)],
                private_key=key,
                verification_method=METHOD,
                created=created,
            ),
        ),
        (
            "eddsa-rdfc-2022 sign, template, to JSON bytes",
            lambda n: template.sign_with_template_json(
                shape,
                batch[n % len(batch)],
                private_key=key,
                verification_method=METHOD,
                created=created,
            ),
        ),
        (
            "eddsa-rdfc-2022 verify, full algorithm",
            lambda n: dataintegrity.verify_data_integrity(
                signed[n % len(signed)], resolve_public_key=resolve
            ),
        ),
        (
            "eddsa-rdfc-2022 verify, known shape (template)",
            lambda n: template.verify_with_template(
                signed[n % len(signed)], templates=cache, resolve_public_key=resolve
            ),
        ),
    ]
    figures = measure(operations, arguments.seconds * len(operations), arguments.rounds)
    assert all(
        result.ok
        for result in template.verify_with_template(
            full_signed, templates=cache, resolve_public_key=resolve
        )
    )

    size = len(orjson.dumps(full_signed))
    print(
        f"\nData Integrity benchmark (one core; medians of {arguments.rounds} interleaved rounds; "
        f"signed credential {size:,} bytes)"
    )
    print(f"{'operation':<48} {'ops/s':>10} {'µs/op':>9} {'× raw sign':>11}")
    for name, per_second, ratio in figures:
        print(f"{name:<48} {per_second:>10,.0f} {1e6 / per_second:>9.1f} {ratio:>11.3f}")
    sign_ratio = max(figures[3][2], figures[4][2])
    verify_ratio = figures[6][2]
    for label, ratio, target in (
        ("Template signing", sign_ratio, TARGET_TEMPLATE_SIGNS),
        ("Template verification", verify_ratio, TARGET_TEMPLATE_VERIFIES),
    ):
        measured = ratio * figures[0][1]
        print(
            f"{label}: {ratio:.3f}× raw Ed25519 signing, {measured:,.0f}/s here "
            f"(target {target:,}/s, {'met' if measured >= target else 'not met here'}); "
            f"met on any core signing {target / ratio:,.0f} raw Ed25519 signatures/s."
        )


if __name__ == "__main__":
    main()
