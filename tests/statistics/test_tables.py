"""Statistics against a seeded data set with hand-computed expected tables."""

from datetime import UTC, date, datetime

from wellness.statistics import charts, tables
from wellness.statistics.tables import CaseFact

H = None


def fact(month, kind="self_referral", urgency="routine", minutes=None):
    return CaseFact(datetime(2026, month, 10, tzinfo=UTC), kind, urgency, minutes)


SEED = (
    [fact(9) for _ in range(12)]
    + [fact(9, "concern") for _ in range(2)]
    + [fact(10) for _ in range(7)]
    + [fact(10, "concern") for _ in range(6)]
    + [fact(11, urgency="crisis") for _ in range(9)]
    + [fact(11, "concern", "soon")]
)
MONTHS = ["2026-09", "2026-10", "2026-11"]


def test_months_back():
    assert tables.months_back(date(2026, 2, 3), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_referrals_by_month_and_kind_hand_computed():
    table = tables.by_month(SEED, MONTHS, "kind", ["self_referral", "concern"])
    # raw: Sep 12/2, Oct 7/6, Nov 9/1. Hidden: 2 and 1 (small); each row then has one hidden
    # cell, so its partner goes too: Sep 12, Nov 9. Column concern has 2 hidden (2, 1), fine;
    # column self_referral has 2 hidden (12, 9), fine.
    assert table.cells == ((H, H), (7, 6), (H, H))
    assert table.row_totals == (14, 13, 10)
    assert table.column_totals == (28, 9)
    assert table.total == 37


def test_referrals_by_month_and_urgency_hand_computed():
    table = tables.by_month(SEED, MONTHS, "urgency", ["routine", "soon", "crisis"])
    # raw: Sep 14/0/0, Oct 13/0/0, Nov 0/1/9. 1 is hidden; its row's partner is 9. Columns
    # 'soon' and 'crisis' then hold one hidden cell each and only zeros besides: a zero would
    # be no cover (the totals would show it), so those columns' totals are hidden instead.
    assert table.cells == ((14, 0, 0), (13, 0, 0), (0, H, H))
    assert table.column_totals == (27, H, H)
    assert table.row_totals == (14, 13, 10)


def test_first_contact_median_and_p90_and_small_n_hidden():
    facts = [fact(9, minutes=m) for m in (5, 10, 20, 30, 60, 90, 120, 240, 600, 1440)]
    result = tables.first_contact(facts)
    assert (result.n, result.median_minutes, result.p90_minutes) == (10, 60, 600)
    few = tables.first_contact(facts[:4])
    assert (few.n, few.median_minutes, few.p90_minutes) == (4, H, H)


def test_checkin_completion():
    assert tables.checkin_completion(6, 2).rate == 0.75
    assert tables.checkin_completion(2, 1).rate is H


def test_chart_is_plain_svg_and_marks_hidden_bars():
    svg = charts.bar_chart("Referrals <by month>", ["Sep", "Oct"], [H, 12])
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "fewer than 5, hidden" in svg
    assert "&lt;by month&gt;" in svg
