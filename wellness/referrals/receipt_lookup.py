"""Finding an anonymous request by its receipt code, in constant work (SECURITY.md, receipts)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from wellness.cases import keyholding
from wellness.cases.keyholding import Reader
from wellness.cases.models import KeyHolder
from wellness.crypto import envelope, kdf, keypairs, receipts
from wellness.extensions import db
from wellness.keyring import receipt_pepper
from wellness.referrals.models import Receipt
from wellness.transaction import use_case


class ReceiptNotFoundError(Exception):
    """No referral matches the code (or the code is malformed)."""


def bucket_params(bucket: int) -> kdf.KdfParams:
    """The derivation every receipt in ``bucket`` shares (cost never below t=1, 1 MiB)."""
    cfg = current_app.config
    return receipts.bucket_params(
        bucket,
        receipt_pepper(),
        max(1, int(cfg["RECEIPT_ARGON2_TIME_COST"])),
        max(1024, int(cfg["RECEIPT_ARGON2_MEMORY_KIB"])),
    )


@use_case
def open_by_receipt(code: str) -> tuple[int, Reader]:
    """The case and a reader for an anonymous officer's receipt code (slow on purpose).

    One derivation whether the code's bucket is empty, holds someone else's receipt or holds
    this one: every receipt in a bucket shares the bucket's salt, so the time a look-up takes
    says nothing about which codes exist. (Receipts of earlier releases, each with a salt of
    its own, cost one more until their code is next used, which moves them over.)
    """
    try:
        bucket = receipts.tag(code)
    except receipts.ReceiptError as exc:
        raise ReceiptNotFoundError from exc
    current = bucket_params(bucket).encode()
    candidates = db.session.scalars(select(Receipt).where(Receipt.tag == bucket)).all()
    # Both keypairs of every seed, whatever the candidates: the expansion (ML-KEM key
    # generation) costs the same work for an empty bucket as for a full one.
    pairs = {}
    for stored in {current, *(r.kdf for r in candidates)}:
        seed = receipts.derive_seed(code, kdf.KdfParams.decode(stored))
        pairs[stored] = {
            hybrid: receipts.keypair_from_seed(seed, hybrid) for hybrid in (True, False)
        }
    for receipt in candidates:
        hybrid = keypairs.is_hybrid(receipt.public_key)
        pair = pairs[receipt.kdf][hybrid]
        if pair.public == receipt.public_key:
            if receipt.kdf != current or not hybrid:
                pair = _move_receipt(receipt, pair, pairs[current][True], current)
            return receipt.case_id, Reader(None, pair.private, by_receipt=True)
    raise ReceiptNotFoundError


def _move_receipt(
    receipt: Receipt, old: keypairs.Keypair, new: keypairs.Keypair, params: str
) -> keypairs.Keypair:
    """Move a receipt of an earlier release onto its bucket's salt and a hybrid key."""
    row = keyholding.key_row(receipt.case_id, KeyHolder.RECEIPT)
    if row is not None:
        ctx = keyholding.key_context(receipt.case_id, KeyHolder.RECEIPT, None)
        row.sealed_key = envelope.seal(
            envelope.open_sealed(row.sealed_key, old.private, ctx), new.public, ctx
        )
    receipt.kdf, receipt.public_key = params, new.public
    return new
