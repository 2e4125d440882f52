"""Statistics through the pages, against a seeded data set."""

from datetime import timedelta

from sqlalchemy import select

from tests.factories import login, make_user, self_referral
from wellness.accounts.models import Role
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.timeutil import utcnow


def test_coordinator_and_command_see_suppressed_counts_and_csv(app, ctx):
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    for _ in range(7):
        self_referral(officer, urgency="routine", text="MARKER-TEXT")
    for _ in range(2):
        self_referral(None, urgency="soon", text="MARKER-TEXT")
    for case in db.session.scalars(select(Case)):
        case.contacted_at = cases.exact_created(case) + timedelta(minutes=30)
    db.session.commit()
    coordinator = app.test_client()
    login(coordinator, make_user("maria", Role.COORDINATOR))
    page = coordinator.get("/coordinator/statistics").get_data(as_text=True)
    month = utcnow().strftime("%Y-%m")
    # 9 self-referrals this month; by urgency 7 routine and 2 soon: 2 hidden, 7 its partner.
    assert f'<th scope="row">{month}</th><td>9</td>' in page
    assert "Median 30 min; 90th percentile 30 min (over 9 cases)" in page
    assert "<svg" in page
    assert "MARKER" not in page
    assert "Jordan" not in page
    csv = coordinator.get("/coordinator/statistics.csv").get_data(as_text=True)
    assert f"{month},,,0,9" in csv  # by urgency: 2 soon hidden, 7 routine its partner
    assert f"{month},9,0,0,0,9" in csv
    supervisor = app.test_client()
    login(supervisor, make_user("sgt", Role.SUPERVISOR))
    command = supervisor.get("/command/statistics").get_data(as_text=True)
    assert "Program statistics" in command
    assert "Download as CSV" not in command
    assert counselor.id  # the counselor exists only so the cases were routed
