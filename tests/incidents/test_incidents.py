"""Incident -> outreach and a follow-up plan for each member; declining stops it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import login, make_unit, make_user, post, reader
from wellness.accounts.models import Role
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.checkins import jobs
from wellness.checkins.models import CheckIn
from wellness.extensions import db
from wellness.incidents.models import Incident
from wellness.keys.models import CaseIndex, IndexInbox
from wellness.timeutil import as_utc, frozen_at, utcnow


def test_incident_gives_each_member_outreach_and_a_plan_and_declining_stops_it(app, ctx):
    north, south = make_unit("North"), make_unit("South")
    jordan = make_user("jordan", Role.OFFICER, unit=north)
    sam = make_user("sam", Role.OFFICER, unit=north)
    peer_north = make_user("kelly", Role.COUNSELOR, unit=north)
    peer_south = make_user("luis", Role.COUNSELOR, unit=south)
    coordinator = app.test_client()
    login(coordinator, make_user("maria", Role.COORDINATOR))
    t0 = utcnow()
    with frozen_at(t0):
        response = post(
            coordinator,
            "/coordinator/incidents",
            {
                "kind": "officer-involved shooting",
                "occurred_on": date.today().isoformat(),
                "members": "jordan\nSAM\n",
                "plan": "24,72,168,720,2160",
            },
            token_from="/coordinator/incidents",
        )
    assert response.status_code == 302
    incident = db.session.scalars(select(Incident)).one()
    assert incident.member_count == 2
    # A database copy cannot tell who was involved: their entries wait in the unaddressed
    # inbox, one padded box each, until their next sign-in; no index row changed.
    assert db.session.scalar(select(func.count()).select_from(CaseIndex)) == 0
    assert len({len(box.box) for box in db.session.scalars(select(IndexInbox))}) == 1
    member_cases = db.session.scalars(select(Case).where(Case.incident_id == incident.id)).all()
    assert len(member_cases) == 2
    # routed outside the members' own unit, to the counselor who can open it
    assert {c.assignee_id for c in member_cases} == {peer_south.id}
    for case in member_cases:
        with pytest.raises(cases.NotSharedError):  # in the members' unit: never given a key
            cases.open_case(case.id, reader(peer_north), "outreach")
        dues = sorted(
            as_utc(c.due_at) - t0
            for c in db.session.scalars(select(CheckIn).where(CheckIn.case_id == case.id))
        )
        assert dues == [timedelta(hours=h) for h in (24, 72, 168, 720, 2160)]
        assert (
            cases.open_case(case.id, reader(peer_south), "outreach")["incident"]["kind"]
            == "officer-involved shooting"
        )

    # Jordan sees it among their own requests (through their index) and declines.
    member = app.test_client()
    login(member, jordan)  # signing in takes the outreach from the unaddressed inbox
    db.session.expire_all()
    jordans = cases.own_case_ids(reader(jordan))
    assert len(jordans) == 1
    page = member.get(f"/me/referrals/{jordans[0]}").get_data(as_text=True)
    assert "stop the follow-up" in page
    post(member, f"/me/referrals/{jordans[0]}/decline", token_from="/me/referrals")
    statuses = dict(
        db.session.execute(
            select(CheckIn.case_id, func.count())
            .where(CheckIn.status == "scheduled")
            .group_by(CheckIn.case_id)
        ).all()
    )
    assert jordans[0] not in statuses  # Jordan's plan stopped
    assert statuses[next(c.id for c in member_cases if c.id != jordans[0])] == 5  # Sam's not
    with frozen_at(t0 + timedelta(hours=25)):
        assert jobs.dispatch_due_checkins(utcnow()) == 1  # only Sam's first check-in
    assert cases.own_case_ids(reader(sam)) == []  # not signed in since: still in the inbox
    login(app.test_client(), sam)
    db.session.expire_all()
    sams = cases.own_case_ids(reader(sam))
    assert len(sams) == 1
    assert sams[0] != jordans[0]


def test_unknown_members_and_bad_plans_are_refused_and_nothing_saved(app, ctx):
    make_user("jordan", Role.OFFICER)
    coordinator = app.test_client()
    login(coordinator, make_user("maria", Role.COORDINATOR))
    page = post(
        coordinator,
        "/coordinator/incidents",
        {
            "kind": "line-of-duty injury",
            "occurred_on": "2026-11-01",
            "members": "jordan\nghost",
            "plan": "24",
        },
        token_from="/coordinator/incidents",
    ).get_data(as_text=True)
    assert "No active account for: ghost" in page
    page = post(
        coordinator,
        "/coordinator/incidents",
        {
            "kind": "line-of-duty injury",
            "occurred_on": "2026-11-01",
            "members": "jordan",
            "plan": "72,24",
        },
        token_from="/coordinator/incidents",
    ).get_data(as_text=True)
    assert "increasing order" in page
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
