import pytest

from wellness.crypto import kdf, keypairs
from wellness.crypto.context import context
from wellness.crypto.errors import CryptoError, DecryptionError

CTX = context("users", 1, "private_key")


def test_password_key_is_deterministic_per_salt_and_parameters_travel_with_it():
    params = kdf.new_params(1, 1024, 1)
    stored = params.encode()
    assert stored.startswith("argon2id$t=1,m=1024,p=1$")
    assert kdf.derive_key("river lantern", kdf.KdfParams.decode(stored)) == kdf.derive_key(
        "river lantern", params
    )
    assert kdf.derive_key("river lantern", kdf.new_params(1, 1024, 1)) != kdf.derive_key(
        "river lantern", params
    )  # a new salt gives a new key
    assert len(kdf.derive_key("x", params)) == 32


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "argon2id$t=1$AAAA",
        "scrypt$t=1,m=1,p=1$AAAAAAAAAAAAAAAAAAAAAA==",
        "argon2id$t=1,m=8,p=1$c2hvcnQ=",
    ],
)
def test_unreadable_parameters_raise(bad):
    with pytest.raises(CryptoError):
        kdf.KdfParams.decode(bad)


def test_private_key_wrapped_under_password_key_round_trips():
    pair = keypairs.generate()
    params = kdf.new_params(1, 1024, 1)
    wrapped = keypairs.wrap_private(pair.private, kdf.derive_key("pw one two", params), CTX)
    assert pair.private not in wrapped
    unwrapped = keypairs.unwrap_private(wrapped, kdf.derive_key("pw one two", params), CTX)
    assert unwrapped == pair.private
    assert keypairs.public_of(unwrapped) == pair.public
    with pytest.raises(DecryptionError):
        keypairs.unwrap_private(wrapped, kdf.derive_key("pw one twO", params), CTX)
