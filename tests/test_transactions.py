"""Each use case is one transaction (wellness/transaction.py): when its second half fails,
nothing of its first half is saved; a use case called inside another joins it; a refusal
keeps only what it logged."""

import pytest
from sqlalchemy import func, select

from tests.factories import make_user, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.admin import service as admin_service
from wellness.audit.models import AccessLogEntry
from wellness.cases import lifecycle
from wellness.cases.models import Case, CaseEvent, CaseKey, KeyHolder, Note
from wellness.extensions import db
from wellness.notifications import addresses
from wellness.notifications.models import Notification
from wellness.referrals import mine
from wellness.referrals import service as referrals
from wellness.transaction import use_case


class Boom(Exception):
    """The second half of a use case failing."""


@pytest.fixture
def people(ctx):
    counselor = make_user("kelly", Role.COUNSELOR)
    return {
        "officer": make_user("jordan", Role.OFFICER),
        "counselor": counselor,
        "other": make_user("luis", Role.COUNSELOR),
        "admin": make_user("itadmin", Role.ADMIN),
    }


def fail(*_args, **_kwargs):
    raise Boom


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_withdrawal_that_fails_halfway_destroys_nothing(people, monkeypatch):
    case, _ = self_referral(people["officer"])
    # the notice to the counselor is written and the case deleted before the index is updated
    monkeypatch.setattr(mine.cases, "remove_from_index", fail)
    with pytest.raises(Boom):
        mine.withdraw(case.id, reader(people["officer"], as_owner=True))
    db.session.expire_all()
    assert db.session.get(Case, case.id) is not None
    assert count(CaseKey, CaseKey.case_id == case.id) > 0
    assert count(Notification, Notification.kind == "withdrawn") == 0


def test_a_close_that_fails_halfway_keeps_no_note_and_the_case_open(people, monkeypatch):
    case, _ = self_referral(people["officer"])
    counselor = db.session.get(User, case.assignee_id)
    # the closing note is written, then closing itself fails
    monkeypatch.setattr(lifecycle.state, "close", fail)
    with pytest.raises(Boom):
        lifecycle.close(case.id, reader(counselor), "resolved", note="MARKER-CLOSING-NOTE")
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "new"
    assert count(Note, Note.case_id == case.id) == 0
    assert count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.kind == "note added") == 0


def test_a_transfer_that_fails_halfway_leaves_the_case_where_it_was(people, monkeypatch):
    case, _ = self_referral(people["officer"])
    holder = db.session.get(User, case.assignee_id)
    to = people["other"] if holder.id == people["counselor"].id else people["counselor"]
    keys_before = {
        (k.holder, k.user_id)
        for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))
    }
    # the key is sealed to the new counselor and taken from the old, then telling them fails
    monkeypatch.setattr(lifecycle.notifications, "notify", fail)
    with pytest.raises(Boom):
        lifecycle.transfer(case.id, reader(holder), to)
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == holder.id
    keys_after = {
        (k.holder, k.user_id)
        for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))
    }
    assert keys_after == keys_before
    assert (KeyHolder.USER, to.id) not in keys_after


def test_an_admin_edit_that_fails_halfway_keeps_neither_the_address_nor_the_details(
    people, monkeypatch
):
    officer = people["officer"]
    # the address is saved first, then the rest of the edit fails
    monkeypatch.setattr(accounts.sessions, "end_all_sessions", fail)
    with pytest.raises(Boom):
        admin_service.update_by_admin(
            officer,
            "Renamed Person",
            None,
            [Role.OFFICER],
            False,  # switching the account off ends its sessions: the failing step
            "jordan@example.org",
            people["admin"],
        )
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    assert addresses.email_address(officer) is None
    assert officer.display_name == "Jordan"
    assert officer.active


def test_a_refused_hand_off_keeps_only_its_logged_read(people):
    result = referrals.submit_concern(
        referrals.ConcernReport(people["other"], ["sleep"], "MARKER", "routine"),
        reader(people["officer"]),
    )
    case = db.session.get(Case, result.case_id)
    holder = db.session.get(User, case.assignee_id)
    entries = count(AccessLogEntry)
    # to the person the case is about: refused, after reading who that is (which is logged)
    with pytest.raises(lifecycle.LifecycleError, match="about"):
        lifecycle.transfer(case.id, reader(holder), people["other"])
    db.session.rollback()  # whatever the caller does next, the refusal's log entry stays
    assert count(AccessLogEntry) == entries + 1
    assert db.session.get(Case, case.id).assignee_id == holder.id


def test_a_use_case_inside_another_commits_only_with_it(people):
    officer = people["officer"]

    @use_case
    def rename(name: str) -> None:
        officer.display_name = name

    @use_case
    def rename_then_fail() -> None:
        rename("Inner Name")  # joins this transaction: not committed on its own
        raise Boom

    with pytest.raises(Boom):
        rename_then_fail()
    db.session.expire_all()
    assert db.session.get(User, officer.id).display_name == "Jordan"
    rename("Outer Name")
    db.session.rollback()  # nothing left to undo: the outermost use case committed
    assert db.session.get(User, officer.id).display_name == "Outer Name"
