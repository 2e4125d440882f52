"""referrals/urgency.py: how soon someone must be reached (table-driven, no app)."""

import pytest

from wellness.referrals import urgency


@pytest.mark.parametrize(
    ("chosen", "behaviours", "expected"),
    [
        ("routine", [], "routine"),
        ("soon", [], "soon"),
        ("crisis", [], "crisis"),
        ("routine", ["self-harm"], "crisis"),
        ("routine", ["threats"], "crisis"),
        ("routine", ["weapons"], "crisis"),
        ("soon", ["withdrawal", "weapons"], "crisis"),
        ("routine", ["hopelessness"], "soon"),
        ("soon", ["hopelessness"], "soon"),
        ("crisis", ["hopelessness"], "crisis"),  # never lowered
        ("routine", ["anger", "alcohol"], "routine"),
        ("whenever", [], "routine"),  # not a known urgency
        ("whenever", ["hopelessness"], "soon"),
    ],
)
def test_concern_urgency(chosen, behaviours, expected):
    assert urgency.concern_urgency(chosen, behaviours) == expected


@pytest.mark.parametrize(
    ("chosen", "risk", "expected"),
    [
        ("routine", False, "routine"),
        ("soon", False, "soon"),
        ("crisis", False, "crisis"),
        ("routine", True, "crisis"),
        ("soon", True, "crisis"),
        ("whenever", False, "routine"),
    ],
)
def test_self_referral_urgency(chosen, risk, expected):
    assert urgency.self_referral_urgency(chosen, risk) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("routine", "soon", "soon"),
        ("soon", "routine", "soon"),
        ("crisis", "soon", "crisis"),
        ("routine", "routine", "routine"),
    ],
)
def test_at_least(a, b, expected):
    assert urgency.at_least(a, b) == expected
