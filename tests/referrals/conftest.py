"""A small agency for routing at the edges: a lieutenant over Patrol (North, South), counselors
in North and Support, coordinators in Support and HQ, IT in HQ; and helpers to submit a
concern and to see who holds a case and who was told."""

import pytest
from sqlalchemy import select

from tests.factories import make_unit, make_user, reader
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.extensions import db
from wellness.notifications.models import Notification
from wellness.referrals import service as referrals


@pytest.fixture
def team(ctx):
    """A lieutenant over Patrol (North, South); counselors; two coordinators; IT."""
    patrol = make_unit("Patrol")
    north, south = make_unit("North", patrol), make_unit("South", patrol)
    support, hq = make_unit("Support"), make_unit("HQ")
    people = {
        "lt": make_user("lt", Role.OFFICER, Role.SUPERVISOR, unit=patrol),
        "officer": make_user("jordan", Role.OFFICER, unit=north),
        "colleague": make_user("sam", Role.OFFICER, unit=south),
        "peer_north": make_user("kelly", Role.COUNSELOR, unit=north),
        "peer_support": make_user("renee", Role.COUNSELOR, unit=support),
        "lead_support": make_user("maria", Role.COORDINATOR, unit=support),
        "lead_hq": make_user("ana", Role.COORDINATOR, unit=hq),
        "admin": make_user("itadmin", Role.ADMIN, unit=hq),
    }
    agency.save_unit(patrol, "Patrol", None, people["lt"].id)
    people["units"] = {"north": north, "south": south, "support": support, "hq": hq}
    return people


def nobody_available(people):
    for key in ("peer_north", "peer_support"):
        accounts.save_counselor_profile(people[key], available=False, on_call=False)


def kinds(user) -> set[str]:
    return set(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def holders(case) -> set[int]:
    return {
        k.user_id
        for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))
        if k.holder == KeyHolder.USER
    }


def concern(reporter, subject, urgency="routine", behaviours=(), supervisor=False):
    result = referrals.submit_concern(
        referrals.ConcernReport(
            subject=subject,
            behaviours=list(behaviours),
            text="MARKER-CONCERN",
            urgency=urgency,
            supervisor_report=supervisor,
        ),
        reader(reporter),
    )
    return db.session.get(Case, result.case_id), result
