"""Benchmark: baking and unbaking badge images (not a test; prints figures).

    uv run python bench/bench_baking.py [--seconds 1.0]

Compares the byte-splicing PNG bake with what most implementations do (decode the PNG with
Pillow and re-encode it with a text chunk), measures unbaking (full chunk walk with CRCs),
SVG baking (defusedxml validation + splice), SVG unbaking and sanitising, and raw Ed25519
signing in the same run, so figures from different machines can be compared as ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, PngImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openbadges.baking import bake_png, bake_svg, sanitize_svg, unbake_png, unbake_svg


def badge_png(size: int = 256) -> bytes:
    """A badge-like image: gradient disc, ring and a ribbon, saved as Pillow saves it."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    for radius in range(int(centre) - 4, 0, -1):
        shade = int(255 * radius / centre)
        draw.ellipse(
            (centre - radius, centre - radius, centre + radius, centre + radius),
            fill=(20, 60 + shade // 3, shade, 255),
        )
    draw.ellipse((8, 8, size - 8, size - 8), outline=(250, 200, 40, 255), width=6)
    draw.polygon(
        [(centre - 40, size - 20), (centre, size - 60), (centre + 40, size - 20)],
        fill=(200, 30, 40, 255),
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def badge_svg() -> bytes:
    rays = "".join(
        f'<line x1="128" y1="128" x2="{128 + 110 * math.cos(a / 12 * math.pi):.1f}" '
        f'y2="{128 + 110 * math.sin(a / 12 * math.pi):.1f}" stroke="#f5c518" stroke-width="3"/>'
        for a in range(24)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256">'
        '<defs><radialGradient id="g"><stop offset="0" stop-color="#3b82f6"/>'
        '<stop offset="1" stop-color="#1e3a8a"/></radialGradient></defs>'
        f'<circle cx="128" cy="128" r="120" fill="url(#g)"/>{rays}'
        '<text x="128" y="140" text-anchor="middle" font-size="28" fill="#fff">Data Literacy</text>'
        "</svg>"
    ).encode()


def credential_json() -> str:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0b2a5f3e-8c4d-4f6e-9a1b-2c3d4e5f6a7b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://badges.example.eu/issuers/acme",
            "type": ["Profile"],
            "name": "Acme Academy",
        },
        "validFrom": "2025-03-01T09:00:00Z",
        "name": "Data Literacy Basics",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": "sha256$" + "ab" * 32,
                    "identityType": "emailAddress",
                    "salt": "pepper42",
                }
            ],
            "achievement": {
                "id": "https://badges.example.eu/achievements/data-literacy-basics",
                "type": ["Achievement"],
                "name": "Data Literacy Basics",
                "description": "Reads, cleans and charts small tabular data sets. " * 3,
                "criteria": {"narrative": "Pass the final assessment with at least 70%. " * 3},
                "image": {
                    "id": "https://badges.example.eu/achievements/data-literacy-basics/image",
                    "type": "Image",
                },
            },
        },
        "proof": [
            {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": "2025-03-01T09:00:00Z",
                "verificationMethod": "did:web:badges.example.eu#key-1",
                "proofPurpose": "assertionMethod",
                "proofValue": "z" + "5" * 86,
            }
        ],
    }
    return json.dumps(credential, ensure_ascii=False)


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second, timed in batches until ``seconds`` have passed."""
    operation()
    count, batch, started = 0, 1, time.perf_counter()
    while True:
        for _ in range(batch):
            operation()
        count += batch
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return count / elapsed
        batch = min(batch * 2, 10_000)


def pillow_rebake(png: bytes, text: str) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("openbadgecredential", text)
        out = io.BytesIO()
        image.save(out, "PNG", pnginfo=info)
        return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    seconds = parser.parse_args().seconds

    png, svg, payload = badge_png(), badge_svg(), credential_json()
    baked_png = bake_png(png, payload, ob3=True)
    baked_svg = bake_svg(svg, payload, ob3=True)
    key = Ed25519PrivateKey.generate()
    message = payload.encode()

    print(
        f"PNG {len(png):,} bytes, SVG {len(svg):,} bytes, credential {len(payload):,} bytes, "
        f"{seconds:g} s per figure"
    )
    ed25519 = rate(lambda: key.sign(message), seconds)
    rows = [
        ("Ed25519 sign (raw, reference)", ed25519),
        ("PNG bake (splice iTXt)", rate(lambda: bake_png(png, payload, ob3=True), seconds)),
        ("PNG bake via Pillow re-encode", rate(lambda: pillow_rebake(png, payload), seconds)),
        ("PNG unbake (walk + CRCs)", rate(lambda: unbake_png(baked_png), seconds)),
        ("SVG bake (defusedxml + splice)", rate(lambda: bake_svg(svg, payload, ob3=True), seconds)),
        ("SVG unbake (defusedxml)", rate(lambda: unbake_svg(baked_svg), seconds)),
        ("SVG sanitise", rate(lambda: sanitize_svg(svg), seconds)),
    ]
    print(f"{'operation':34} {'ops/s':>12} {'µs/op':>10} {'× Ed25519':>10}")
    for name, ops in rows:
        print(f"{name:34} {ops:12,.0f} {1e6 / ops:10.1f} {ops / ed25519:10.3f}")
    splice, pillow = rows[1][1], rows[2][1]
    print(f"PNG splice is {splice / pillow:,.0f}× faster than a Pillow re-encode")


if __name__ == "__main__":
    main()
