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
        ("auditc", 2, "below the cut-off"),
        ("auditc", 3, "positive screen for women"),
        ("auditc", 4, "positive screen"),
        ("auditc", 12, "positive screen"),
    ],
)
def test_published_cut_offs(key, total, band):
    screener = SCREENERS[key]
    answers, left = [], total
    for i in range(len(screener.items)):  # fill from the first item on
        answers.append(min(len(screener.choices_for(i)) - 1, left))
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


def test_audit_c_shows_each_items_published_answers_the_standard_drink_and_both_cut_offs():
    audit = SCREENERS["auditc"]
    assert audit.choices_for(0) == (
        "Never",
        "Monthly or less",
        "2 to 4 times a month",
        "2 to 3 times a week",
        "4 or more times a week",
    )
    assert audit.choices_for(1)[-1] == "10 or more"
    assert audit.choices_for(2)[-1] == "Daily or almost daily"
    assert "14 grams" in audit.note
    assert "12 ounces" in audit.note
    assert "5 ounces of wine" in audit.note
    assert "1.5 ounces" in audit.note
    assert "4 or more is a positive screen for men, 3 or more for women" in audit.note
    assert "Option" not in " ".join(c for q in audit.questions for c in q[1])


def test_pcl5_items_carry_their_published_examples():
    items = SCREENERS["pcl5"].items
    assert "(for example, heart pounding, trouble breathing, sweating)" in items[4]
    assert "(for example, people, places, conversations" in items[6]
    assert "I am bad, there is something seriously wrong with me" in items[8]
    assert "(as if you were actually back there reliving it)" in items[2]
    assert "(for example, being unable to feel happiness" in items[13]


def test_the_screener_page_shows_each_items_own_answers(client):
    page = client.get("/screeners/auditc").get_data(as_text=True)
    assert "2 to 4 times a month" in page
    assert "Daily or almost daily" in page
    assert "standard drink" in page
