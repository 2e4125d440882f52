"""crypto/receipts.py: anonymous receipt codes (no app)."""

import pytest

from wellness.crypto import kdf, receipts

FAST = (1, 1024)


def test_a_new_code_is_16_crockford_characters_in_groups_of_four():
    code = receipts.new_code()
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert all(c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" for c in "".join(groups))
    assert len({receipts.new_code() for _ in range(200)}) == 200


def test_normalising_mends_typing_and_refuses_the_rest():
    assert receipts.normalise("k7qm 3xpd-9rta-2whn") == "K7QM3XPD9RTA2WHN"
    assert receipts.normalise("O1IL-0000-0000-0000") == "0111000000000000"
    for bad in ("", "K7QM-3XPD-9RTA", "K7QM-3XPD-9RTA-2WHNX", "U7QM-3XPD-9RTA-2WHN"):
        with pytest.raises(receipts.ReceiptError):
            receipts.normalise(bad)


def test_the_tag_is_16_bits_and_ignores_formatting():
    code = "K7QM-3XPD-9RTA-2WHN"
    assert 0 <= receipts.tag(code) < 2**16
    assert receipts.tag(code) == receipts.tag("k7qm3xpd9rta2whn")


def test_a_bucket_shares_one_salt_which_needs_the_pepper():
    one = receipts.bucket_params(42, b"p" * 32, *FAST)
    assert one.salt == receipts.bucket_params(42, b"p" * 32, *FAST).salt
    assert one.salt != receipts.bucket_params(43, b"p" * 32, *FAST).salt
    assert one.salt != receipts.bucket_params(42, b"q" * 32, *FAST).salt
    assert len(one.salt) == kdf.SALT_BYTES


def test_the_keypair_follows_the_code_and_only_the_code():
    params = receipts.bucket_params(1, b"p" * 32, *FAST)
    code = "K7QM-3XPD-9RTA-2WHN"
    pair = receipts.derive_keypair(code, params)
    assert pair == receipts.derive_keypair("k7qm 3xpd 9rta 2whn", params)
    assert pair.public != receipts.derive_keypair("K7QM-3XPD-9RTA-2WHM", params).public
    classical = receipts.keypair_from_seed(receipts.derive_seed(code, params), hybrid=False)
    assert classical.public != pair.public
    assert len(classical.public) == 32
