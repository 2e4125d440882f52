from datetime import UTC, datetime, timedelta

import pytest

from wellness.checkins import rules

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
DEADLINES = {"crisis": 15, "soon": 1440, "routine": 4320}


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("24,72,168,720,2160", rules.CRITICAL_INCIDENT_PLAN),
        (" 1 , 2 ", (1, 2)),
        ("48", (48,)),
    ],
)
def test_plans_parse(text, hours):
    assert rules.parse_offsets(text) == hours


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "between 1"),
        ("a,b", "whole numbers"),
        ("0", "between 1 hour"),
        ("72,24", "increasing"),
        ("24,24", "increasing"),
        (",".join(str(i) for i in range(1, 14)), "between 1 and 12"),
        ("9000", "a year"),
    ],
)
def test_bad_plans_are_refused_with_a_reason(text, reason):
    with pytest.raises(rules.PlanError, match=reason):
        rules.parse_offsets(text)


def test_critical_incident_plan_falls_due_at_the_published_times():
    times = rules.plan_times(T0, rules.CRITICAL_INCIDENT_PLAN)
    assert [t - T0 for t in times] == [
        timedelta(hours=24),
        timedelta(hours=72),
        timedelta(days=7),
        timedelta(days=30),
        timedelta(days=90),
    ]


@pytest.mark.parametrize(
    ("urgency", "minutes"), [("crisis", 15), ("soon", 1440), ("routine", 4320), ("unknown", 4320)]
)
def test_first_contact_deadline_by_urgency(urgency, minutes):
    deadline = rules.first_contact_deadline(T0, urgency, DEADLINES)
    assert deadline == T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("offset_minutes", "words"),
    [
        (200, "due in 3 h 20 min"),
        (-15, "overdue by 15 min"),
        (3000, "due in 2 d 2 h"),
        (0, "due in 0 min"),
    ],
)
def test_clock_reads_in_ten_seconds(offset_minutes, words):
    assert rules.clock(T0, T0 + timedelta(minutes=offset_minutes)).words == words


def test_a_plan_past_the_last_representable_date_is_refused():
    with pytest.raises(rules.PlanError):
        rules.plan_times(T0.replace(year=9999, month=12, day=31), (24,))
