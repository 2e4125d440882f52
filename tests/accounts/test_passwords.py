import pytest

from wellness.accounts import passwords
from wellness.config import Defaults


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 12"),
        ("x" * 129, "at most 128"),
        ("my-name-is-jordan.lee!", "username"),
        ("aaaaaaaaaaaaaaaa", "repetitive"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, fragment):
    with pytest.raises(passwords.WeakPasswordError, match=fragment):
        passwords.check_strength(password, "jordan.lee")


def test_a_long_passphrase_is_accepted():
    passwords.check_strength("river lantern copper seven", "jordan.lee")


def test_hash_is_argon2id_salted_and_verifies():
    hasher = passwords.make_hasher(1, 1024, 1)
    first, second = hasher.hash("river lantern copper"), hasher.hash("river lantern copper")
    assert first.startswith("$argon2id$")
    assert first != second  # per-hash random salt
    assert passwords.verify(hasher, first, "river lantern copper")
    assert not passwords.verify(hasher, first, "river lantern copped")


def test_garbage_hash_and_oversized_password_do_not_raise():
    hasher = passwords.make_hasher(1, 1024, 1)
    assert not passwords.verify(hasher, "not-a-hash", "anything")
    assert not passwords.verify(hasher, hasher.hash("a" * 20), "a" * 10_000)


def test_production_cost_meets_owasp_minimum():
    assert Defaults.ARGON2_MEMORY_KIB >= 19 * 1024
    assert Defaults.ARGON2_TIME_COST >= 2


def test_temporary_passwords_are_random_and_pass_the_rules():
    values = {passwords.temporary_password() for _ in range(50)}
    assert len(values) == 50
    for value in values:
        passwords.check_strength(value, "someone")
