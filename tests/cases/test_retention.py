"""Retention with a controllable clock: purged cases unreadable, counts kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.cases.test_confidentiality import dump_database
from tests.factories import make_user, reader, self_referral
from wellness.accounts.models import Role
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseKey
from wellness.cases.retention import purge_closed_cases
from wellness.extensions import db
from wellness.statistics import service as statistics
from wellness.statistics.models import ArchivedCase
from wellness.timeutil import frozen_at, utcnow


def test_closed_cases_are_destroyed_after_the_period_and_still_counted(app, ctx):
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    t0 = utcnow()
    with frozen_at(t0):
        old, _ = self_referral(officer, text="MARKER-OLD")
        recent, _ = self_referral(officer, text="MARKER-RECENT")
        open_case, _ = self_referral(officer, text="MARKER-OPEN")
        cases.record_contact(old.id, reader(counselor))
        cases.post_message(old.id, reader(counselor), "MARKER-OLD-REPLY")
        lifecycle.add_note(old.id, reader(counselor), "MARKER-OLD-NOTE")
        lifecycle.close(old.id, reader(counselor), "resolved")
    with frozen_at(t0 + timedelta(days=300)):
        lifecycle.close(recent.id, reader(counselor), "resolved")
    before = len(statistics.facts())
    with frozen_at(t0 + timedelta(days=366)):
        dry = purge_closed_cases(utcnow(), 365, dry_run=True)
        assert dry.case_ids == [old.id]
        assert db.session.get(Case, old.id) is not None  # a dry run changes nothing
        result = purge_closed_cases(utcnow(), 365)
    assert result.case_ids == [old.id]
    assert db.session.get(Case, old.id) is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(CaseKey).where(CaseKey.case_id == old.id)
        )
        == 0
    )
    with pytest.raises(cases.NotSharedError):
        cases.open_case(old.id, reader(officer, as_owner=True), "after retention")
    from wellness.cases.models import CaseEvent, Message, Note
    from wellness.checkins.models import CheckIn

    for model in (Message, Note, CheckIn, CaseEvent, CaseKey):
        assert (
            db.session.scalar(
                select(func.count()).select_from(model).where(model.case_id == old.id)
            )
            == 0
        )
    assert b"MARKER-OLD" not in dump_database()
    archived = db.session.scalars(select(ArchivedCase)).one()
    assert (archived.kind, archived.urgency) == ("self_referral", "routine")
    assert archived.first_contact_minutes is not None
    assert len(statistics.facts()) == before  # the count survives the case
    assert cases.open_case(recent.id, reader(counselor), "still here")["text"] == "MARKER-RECENT"
    assert open_case.id in {c.id for c in db.session.scalars(select(Case))}


def test_retention_command_dry_run(app, ctx):
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0
    assert "0 cases closed before" in result.output
    assert "would be destroyed" in result.output


def test_a_destroyed_cases_id_is_never_given_to_a_new_case(app, ctx):
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    first, _ = self_referral(officer)
    second, _ = self_referral(officer)
    lifecycle.close(second.id, reader(counselor), "resolved")
    with frozen_at(utcnow() + timedelta(days=400)):
        purge_closed_cases(utcnow(), 365)
    third, _ = self_referral(officer)
    assert third.id > second.id
    assert first.id < second.id
