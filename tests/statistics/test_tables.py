"""The coordinator's exact working figures, hand-computed."""

from datetime import UTC, date, datetime

from wellness.statistics import charts, tables
from wellness.statistics.tables import CaseFact


def fact(month, kind="self_referral", urgency="routine", minutes=None):
    return CaseFact(datetime(2026, month, 10, tzinfo=UTC), kind, urgency, minutes)


SEED = (
    [fact(9) for _ in range(12)]
    + [fact(9, "concern") for _ in range(2)]
    + [fact(10, "concern", "soon")]
    + [fact(11, urgency="crisis") for _ in range(3)]
)
MONTHS = ["2026-09", "2026-10", "2026-11"]


def test_months_back():
    assert tables.months_back(date(2026, 2, 3), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_exact_counts_by_month_and_kind():
    grid = tables.by_month(SEED, MONTHS, "kind", ["self_referral", "concern"])
    assert grid.cells == ((12, 2), (0, 1), (3, 0))
    assert grid.row_totals == (14, 1, 3)
    assert grid.column_totals == (15, 3)
    assert grid.total == 18


def test_exact_counts_by_month_and_urgency():
    grid = tables.by_month(SEED, MONTHS, "urgency", ["routine", "soon", "crisis"])
    assert grid.cells == ((14, 0, 0), (0, 1, 0), (0, 0, 3))


def test_first_contact_median_and_p90():
    facts = [fact(9, minutes=m) for m in (5, 10, 20, 30, 60, 90, 120, 240, 600, 1440)]
    result = tables.first_contact(facts)
    assert (result.n, result.median_minutes, result.p90_minutes) == (10, 60, 600)
    assert tables.first_contact([]).median_minutes is None


def test_checkin_completion():
    assert tables.checkin_completion(6, 2).rate == 0.75
    assert tables.checkin_completion(0, 0).rate is None


def test_chart_is_plain_svg_and_marks_small_bars():
    svg = charts.bar_chart("Requests <by period>", ["Sep", "Oct"], [None, 12])
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "fewer than 5" in svg
    assert "&lt;by period&gt;" in svg
