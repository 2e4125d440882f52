"""The counselor's dashboard lists what needs doing now, and only that."""

from datetime import UTC, datetime, timedelta

from tests.factories import login, make_user, self_referral
from wellness.accounts.models import Role
from wellness.checkins.models import ANSWERED, MISSED, SCHEDULED, SENT, CheckIn
from wellness.extensions import db
from wellness.timeutil import frozen_at

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_check_ins_due_today_waiting_and_answered_this_week_are_listed(app, ctx):
    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    with frozen_at(NOW - timedelta(days=20)):
        open_case, _ = self_referral(officer)
        closed_case, _ = self_referral(officer)
    closed_case.status = "closed"
    rows = {
        "due today": (open_case, SCHEDULED, NOW + timedelta(hours=5), None),
        "due next week": (open_case, SCHEDULED, NOW + timedelta(days=7), None),
        "sent": (open_case, SENT, NOW - timedelta(days=1), None),
        "missed": (open_case, MISSED, NOW - timedelta(days=4), None),
        "answered lately": (open_case, ANSWERED, NOW - timedelta(days=3), NOW - timedelta(days=2)),
        "answered long ago": (
            open_case,
            ANSWERED,
            NOW - timedelta(days=15),
            NOW - timedelta(days=14),
        ),
        "of a closed case": (closed_case, SENT, NOW - timedelta(days=1), None),
    }
    ids = {}
    for label, (case, status, due, answered) in rows.items():
        row = CheckIn(case_id=case.id, status=status, due_at=due, answered_at=answered)
        db.session.add(row)
        db.session.flush()
        ids[label] = row.id
    db.session.commit()
    client = app.test_client()
    login(client, counselor)
    with frozen_at(NOW):
        page = client.get("/cases/").get_data(as_text=True)
    today = page.split("Due today")[1].split("</ul>")[0]
    assert "<span>15:00</span>" in today  # due at 15:00 today (agency zone: UTC here)
    assert page.count(f"Case #{open_case.id}") == 4  # due today, sent, missed, answered lately
    assert "Missed" in page
    assert "Answered this week" in page
    assert f"Case #{closed_case.id}" not in page


def test_today_is_the_agencys_day_not_the_utc_one(app, ctx):
    from wellness.cases import caseload

    officer = make_user("jordan", Role.OFFICER)
    counselor = make_user("kelly", Role.COUNSELOR)
    with frozen_at(NOW - timedelta(days=1)):
        case, _ = self_referral(officer)
    # 15 June, 10:00 UTC is 05:00 in Chicago: its day ends at 04:59 UTC on the 16th.
    tonight = CheckIn(case_id=case.id, status=SCHEDULED, due_at=NOW + timedelta(hours=17))
    tomorrow = CheckIn(case_id=case.id, status=SCHEDULED, due_at=NOW + timedelta(hours=20))
    db.session.add_all([tonight, tomorrow])
    case.assignee_id = counselor.id
    db.session.commit()
    chicago = caseload.of(counselor.id, NOW, "America/Chicago").today
    assert [c.id for c in chicago] == [tonight.id]  # 22:00 tonight there, and not 01:00
    assert caseload.of(counselor.id, NOW, "UTC").today == []  # both past the UTC midnight
