from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from wellness.accounts import totp

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def secret():
    return totp.new_secret()


def test_current_code_matches_its_step(secret):
    step = totp.matching_step(secret, pyotp.TOTP(secret).at(NOW), NOW, None)
    assert step == pyotp.TOTP(secret).timecode(NOW)


def test_code_from_one_step_either_side_is_accepted_for_clock_drift(secret):
    for delta in (-30, 30):
        code = pyotp.TOTP(secret).at(NOW + timedelta(seconds=delta))
        assert totp.matching_step(secret, code, NOW, None) is not None


def test_code_two_steps_old_is_refused(secret):
    code = pyotp.TOTP(secret).at(NOW - timedelta(seconds=61))
    assert totp.matching_step(secret, code, NOW, None) is None


def test_a_used_code_cannot_be_replayed(secret):
    code = pyotp.TOTP(secret).at(NOW)
    step = totp.matching_step(secret, code, NOW, None)
    assert totp.matching_step(secret, code, NOW, step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5"])
def test_malformed_codes_are_refused(secret, code):
    assert totp.matching_step(secret, code, NOW, None) is None


def test_spaces_in_a_typed_code_are_ignored(secret):
    code = pyotp.TOTP(secret).at(NOW)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", NOW, None) is not None


def test_qr_code_is_inline_svg_without_external_references(secret):
    svg = totp.qr_svg(totp.provisioning_uri(secret, "jordan", "Wellness"))
    assert svg.startswith("<svg")
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
