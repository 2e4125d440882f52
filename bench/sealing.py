"""Seal and open timings: RFC 9180 HPKE from `cryptography`, hybrid (ML-KEM-768 + X25519)
beside the classical X25519 suite and the hand-made seal of earlier releases.

``make bench`` includes this table; ``.venv/bin/python bench/sealing.py`` runs it alone and
rewrites the "Sealing" section of bench/results.md in place.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crypto.legacy import seal_v1  # noqa: E402
from wellness.crypto import envelope, keypairs, signing  # noqa: E402

HEADING = "## Sealing (HPKE, per operation)"
CTX = b"wellness:v1:case_keys:1:user:2"
DATA_KEY = b"k" * 32


def _micros(fn, rounds: int = 300) -> float:  # type: ignore[no-untyped-def]
    """Median microseconds of ``fn()`` over batches (timer overhead spread over each batch)."""
    samples = []
    for _ in range(rounds // 10):
        start = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - start) / 10 * 1e6)
    return statistics.median(samples)


def figures() -> list[tuple[str, float, str]]:
    hybrid, classical = keypairs.generate(), keypairs.generate_classical()
    rows = [("hybrid keypair (ML-KEM-768 + X25519) from a seed", _micros(keypairs.generate), "")]
    for label, pair in (
        ("hybrid HPKE", hybrid),
        ("classical HPKE X25519 (not yet upgraded)", classical),
    ):
        box = envelope.seal(DATA_KEY, pair.public, CTX)
        rows.append(
            (
                f"seal a case key, {label}",
                _micros(lambda p=pair: envelope.seal(DATA_KEY, p.public, CTX)),
                f"{len(box)} bytes",
            )
        )
        rows.append(
            ("open it", _micros(lambda p=pair, b=box: envelope.open_sealed(b, p.private, CTX)), "")
        )
    legacy_box = seal_v1(DATA_KEY, classical.public, CTX)
    rows.append(
        (
            "open a box of earlier releases (hand-made seal)",
            _micros(lambda: envelope.open_sealed(legacy_box, classical.private, CTX)),
            f"{len(legacy_box)} bytes",
        )
    )
    key = signing.load_private(signing.new_private_bytes())
    message = signing.user_key(1, hybrid.public)
    signature = signing.sign(key, message)
    check = key.public_key()
    rows.append(
        (
            "verify a key signature (Ed25519, before every seal)",
            _micros(lambda: signing.verifies(check, signature, message)),
            "",
        )
    )
    return rows


def section() -> str:
    rows = [HEADING, "", "| Operation | Median µs | Size |", "|---|---|---|"]
    rows += [f"| {what} | {micros:,.0f} | {size} |" for what, micros, size in figures()]
    return "\n".join(rows) + "\n"


def main() -> None:
    text = section()
    print(text)
    results = ROOT / "bench" / "results.md"
    current = results.read_text() if results.exists() else "# Benchmark results\n"
    before = current.split(HEADING)[0].rstrip() + "\n\n"
    results.write_text(before + text)


if __name__ == "__main__":
    main()
