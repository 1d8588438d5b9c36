"""Benchmark: Data Integrity (eddsa-rdfc-2022) signing and verification (not a test).

    uv run python bench/bench_signing.py [--seconds 1.0] [--equality 10000]

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


def rate(operation: Callable[[int], object], seconds: float, repeats: int = 3) -> float:
    """Median operations per second over `repeats` runs of about `seconds` each."""
    results = []
    for _ in range(repeats):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(50):
                operation(count)
                count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        results.append(count / (now - start))
    return statistics.median(results)


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
    parser.add_argument("--seconds", type=float, default=1.0)
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

    seconds = arguments.seconds
    figures = [
        ("raw Ed25519 sign (64 bytes)", rate(lambda _: key.sign(message), seconds)),
        ("raw Ed25519 verify", rate(lambda _: public_key.verify(signature, message), seconds)),
        (
            "eddsa-rdfc-2022 sign, full algorithm",
            rate(
                lambda n: dataintegrity.sign_eddsa_rdfc_2022(
                    shape.build_document(batch[n % len(batch)]),
                    private_key=key,
                    verification_method=METHOD,
                    created=created,
                ),
                seconds,
                repeats=1,
            ),
        ),
        (
            "eddsa-rdfc-2022 sign, template",
            rate(
                lambda n: template.sign_with_template(
                    shape,
                    batch[n % len(batch)],
                    private_key=key,
                    verification_method=METHOD,
                    created=created,
                ),
                seconds,
            ),
        ),
        (
            "eddsa-rdfc-2022 sign, template, to JSON bytes",
            rate(
                lambda n: template.sign_with_template_json(
                    shape,
                    batch[n % len(batch)],
                    private_key=key,
                    verification_method=METHOD,
                    created=created,
                ),
                seconds,
            ),
        ),
        (
            "eddsa-rdfc-2022 verify, full algorithm",
            rate(
                lambda n: dataintegrity.verify_data_integrity(
                    signed[n % len(signed)], resolve_public_key=resolve
                ),
                seconds,
                repeats=1,
            ),
        ),
        (
            "eddsa-rdfc-2022 verify, known shape (template)",
            rate(
                lambda n: template.verify_with_template(
                    signed[n % len(signed)], templates=cache, resolve_public_key=resolve
                ),
                seconds,
            ),
        ),
    ]
    assert all(
        result.ok
        for result in template.verify_with_template(
            full_signed, templates=cache, resolve_public_key=resolve
        )
    )

    raw = figures[0][1]
    size = len(orjson.dumps(full_signed))
    print(f"\nData Integrity benchmark (one core, medians; signed credential {size:,} bytes)")
    print(f"{'operation':<48} {'ops/s':>10} {'µs/op':>9} {'× raw sign':>11}")
    for name, per_second in figures:
        print(f"{name:<48} {per_second:>10,.0f} {1e6 / per_second:>9.1f} {per_second / raw:>11.3f}")
    template_signs = max(figures[3][1], figures[4][1])
    template_verifies = figures[6][1]
    print(
        f"\nTemplate signing: {template_signs:,.0f}/s (target {TARGET_TEMPLATE_SIGNS:,}/s, "
        f"{'met' if template_signs >= TARGET_TEMPLATE_SIGNS else 'not met on this machine'}); "
        f"it is {template_signs / raw:.2f}× raw Ed25519 signing, so a machine signing "
        f"{TARGET_TEMPLATE_SIGNS / (template_signs / raw):,.0f} raw signatures/s meets the target."
    )
    print(
        f"Template verification: {template_verifies:,.0f}/s (target "
        f"{TARGET_TEMPLATE_VERIFIES:,}/s, "
        f"{'met' if template_verifies >= TARGET_TEMPLATE_VERIFIES else 'not met on this machine'})."
    )


if __name__ == "__main__":
    main()
