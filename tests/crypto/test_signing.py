"""crypto/signing.py: statements the server signs (no app)."""

import pytest

from wellness.crypto import signing

KEY = signing.load_private(signing.new_private_bytes())
PUBLIC = KEY.public_key()


def test_a_signature_verifies_only_over_its_own_statement():
    message = signing.user_key(7, b"public key")
    signature = signing.sign(KEY, message)
    assert signing.verifies(PUBLIC, signature, message)
    assert not signing.verifies(PUBLIC, signature, signing.user_key(8, b"public key"))
    assert not signing.verifies(PUBLIC, signature, signing.user_key(7, b"other key"))
    other = signing.load_private(signing.new_private_bytes()).public_key()
    assert not signing.verifies(other, signature, message)


@pytest.mark.parametrize("signature", [None, b"", b"x" * 63, b"x" * 64])
def test_missing_short_or_forged_signatures_fail(signature):
    assert not signing.verifies(PUBLIC, signature, signing.role(1, "counselor", b"k"))


def test_statements_are_unambiguous():
    assert signing.statement("k", "ab", "c") != signing.statement("k", "a", "bc")
    assert signing.statement("k", 1) == signing.statement("k", "1")
    kinds = {
        signing.user_key(1, b"k"),
        signing.role(1, "counselor", b"k"),
        signing.grant(1, 1, "counselor", 1),
        signing.inbox(b"k", b"[]"),
    }
    assert len(kinds) == 4  # a signature for one kind never passes for another
    assert signing.role(1, "counselor", b"k") != signing.role(1, "coordinator", b"k")
