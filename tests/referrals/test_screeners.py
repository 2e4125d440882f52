"""Screener scores and bands against the published cut-offs."""

import pytest

from wellness.referrals.screeners import SCREENERS, ScreenerError, score


@pytest.mark.parametrize(
    ("key", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("pcl5", 30, "below the usual cut-off"),
        ("pcl5", 31, "near the cut-off"),
        ("pcl5", 33, "above the usual cut-off"),
        ("pcl5", 80, "above the usual cut-off"),
        ("auditc", 2, "lower risk"),
        ("auditc", 3, "possible risk"),
        ("auditc", 4, "positive screen"),
        ("auditc", 12, "positive screen"),
    ],
)
def test_published_cut_offs(key, total, band):
    screener = SCREENERS[key]
    top = len(screener.choices) - 1
    answers, left = [], total
    for _ in screener.items:  # fill from the first item on
        answers.append(min(top, left))
        left -= answers[-1]
    result = score(key, answers)
    assert result.score == total
    assert result.band.label == band


def test_item_counts_and_ranges():
    assert [len(SCREENERS[k].items) for k in ("phq9", "gad7", "pcl5", "auditc")] == [9, 7, 20, 3]
    assert [SCREENERS[k].max_score for k in ("phq9", "gad7", "pcl5", "auditc")] == [27, 21, 80, 12]


def test_phq9_item_nine_above_zero_signals_risk_whatever_the_total():
    assert score("phq9", [0] * 8 + [1]).risk
    assert not score("phq9", [3] * 8 + [0]).risk
    assert not score("gad7", [3] * 7).risk


@pytest.mark.parametrize(
    ("key", "answers"),
    [
        ("phq9", [0] * 8),
        ("phq9", [0] * 10),
        ("phq9", [4] + [0] * 8),
        ("gad7", [-1] + [0] * 6),
        ("nope", [0]),
    ],
)
def test_bad_answers_are_refused(key, answers):
    with pytest.raises(ScreenerError):
        score(key, answers)
