import pytest

from wellness.crypto import keypairs, recovery
from wellness.crypto.errors import RecoveryCodeError


def test_code_round_trips_however_it_is_typed():
    pair = keypairs.generate()
    code = recovery.encode(pair.private)
    assert all(len(group) <= 5 for group in code.split("-"))
    for typed in [code, code.lower(), code.replace("-", " "), code.replace("-", "")]:
        assert recovery.decode(typed) == pair.private
    assert recovery.matches(recovery.decode(code), pair.public)


def test_a_typo_is_caught_by_the_check_digits():
    code = recovery.encode(keypairs.generate().private)
    i = 7
    typo = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
    with pytest.raises(RecoveryCodeError, match="mistyped"):
        recovery.decode(typo)


@pytest.mark.parametrize("bad", ["", "ABC", "U" * 58, "!" * 58])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(RecoveryCodeError):
        recovery.decode(bad)


def test_another_programs_code_does_not_match():
    mine, theirs = keypairs.generate(), keypairs.generate()
    assert not recovery.matches(theirs.private, mine.public)


def test_codes_printed_by_earlier_releases_still_decode_to_their_classical_key():
    old = keypairs.generate_classical()
    code = recovery.encode(old.private)
    assert recovery.decode(code) == old.private
    assert recovery.matches(recovery.decode(code), old.public)
    new = keypairs.generate()
    assert len(recovery.encode(new.private)) == len(code)  # the same length to copy by hand
    assert recovery.decode(recovery.encode(new.private)) == new.private
