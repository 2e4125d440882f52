"""The training rules, directly (no app): working days, the seed files, completion, CSV cells."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from wellness.training import rules

SEED = Path(__file__).parents[2] / "wellness" / "training" / "seed"
SUNDAY, MONDAY, FRIDAY = date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 4)


def test_bulletins_go_out_on_working_days_from_the_hour():
    assert not rules.publication_due(datetime(2026, 11, 29, 12), 7)  # Sunday
    assert not rules.publication_due(datetime(2026, 11, 30, 6, 59), 7)  # Monday, too early
    assert rules.publication_due(datetime(2026, 11, 30, 7), 7)
    assert rules.publication_due(datetime(2026, 12, 4, 23, 59), 7)  # Friday, late
    assert not rules.publication_due(datetime(2026, 12, 5, 9), 7)  # Saturday


def test_working_days_before_skip_the_weekend():
    assert rules.working_days_before(MONDAY, 3) == [
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
    ]
    assert rules.working_days_before(SUNDAY, 1) == [date(2026, 11, 27)]


def test_the_shipped_bulletins_parse_and_cover_what_the_issue_asks():
    bulletins = rules.parse_bulletins((SEED / "bulletins.md").read_text())
    assert len(bulletins) >= 20
    assert len({b.title for b in bulletins}) == len(bulletins)
    for b in bulletins:
        assert 0 <= b.correct < len(b.answers) <= rules.ANSWERS_MAX
        assert b.situation
        assert b.question
        assert b.why
        assert b.ask
    text = " ".join(f"{b.title} {b.situation}".casefold() for b in bulletins)
    for subject in (
        "backup",
        "package",
        "child",
        "phone",
        "personnel",
        "suicid",
        "sleep",
        "drink",
        "fatal",
    ):
        assert subject in text, subject


def test_the_shipped_policy_parses():
    number, policy = rules.parse_policy((SEED / "policy.md").read_text())
    assert number == 1
    assert policy.title
    assert policy.changes
    assert "## " in policy.body
    assert "confidential" in policy.body.casefold()


@pytest.mark.parametrize(
    ("answers", "correct", "error"),
    [
        (("Only one",), 0, "between"),
        (("Same", "same"), 0, "same"),
        (("A", "B"), 2, "Choose"),
        (("A", "B"), -2, "Choose"),  # two marked in a file
        (("A", "B", "C", "D", "E", "F"), 0, "between"),
    ],
)
def test_a_bulletin_that_cannot_be_answered_is_refused(answers, correct, error):
    fields = rules.BulletinFields("T", "backup", "S", "Q", answers, correct, "W", "A")
    with pytest.raises(rules.BulletinError, match=error):
        rules.check_bulletin(fields)


def test_a_file_with_two_marked_answers_is_refused():
    text = "## T\ntopic: self\nsituation: S\nquestion: Q\n- [x] A\n- [x] B\nwhy: W\nask: A\n"
    with pytest.raises(rules.BulletinError):
        rules.parse_bulletins(text)


def test_completion_counts_from_when_a_member_joined():
    published = [date(2026, 11, d) for d in (2, 3, 4, 23, 24)]
    assert rules.completion(
        published, [date(2026, 11, d) for d in (2, 3, 4, 23)], date(2026, 11, 1)
    ) == (4, 5)
    # joined on the 20th: answers to older bulletins do not count, nor do they owe them
    assert rules.completion(
        published, [date(2026, 11, d) for d in (2, 3, 24)], date(2026, 11, 20)
    ) == (1, 2)
    assert rules.percent(1, 3) == 33
    assert rules.percent(0, 0) is None


def test_the_window_is_thirty_days_ending_today():
    assert rules.window_start(date(2026, 11, 30)) == date(2026, 11, 1)


def test_an_acknowledgment_is_overdue_after_the_days_given_from_publication_or_joining():
    published, today = date(2026, 11, 1), date(2026, 11, 15)
    now = datetime(2026, 11, 15, 12)
    long_ago = datetime(2026, 1, 1)
    assert rules.ack_overdue(published, long_ago, today, now, 14)
    assert not rules.ack_overdue(published, long_ago, today - timedelta(days=1), now, 14)
    assert not rules.ack_overdue(published, datetime(2026, 11, 10), today, now, 14)
    assert rules.ack_overdue(published, datetime(2026, 11, 1, 11), today, now, 14)


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(value):
    assert rules.csv_cell(value).startswith("'")


def test_csv_cells_keep_plain_text():
    assert rules.csv_cell("Jordan Lee") == "Jordan Lee"
    assert rules.csv_cell(None) == ""
