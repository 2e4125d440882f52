"""Attacker: someone who can write the database (not the instance folder) and wants to read
future cases by planting their own key. SECURITY.md, threat model: "database write access"."""

import logging

import pytest
from sqlalchemy import insert, select, update

from tests.factories import self_referral
from wellness.accounts.models import CounselorProfile, Role, User, UserRole
from wellness.cases import keyholding
from wellness.cases.models import Case, CaseKey
from wellness.crypto import envelope, keypairs
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys.models import RecoveryKey
from wellness.notifications.models import Notification
from wellness.timeutil import utcnow


def opens_with(private: bytes, case: Case) -> bool:
    """Does any sealed copy of the case's key open with ``private``?"""
    for row in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id)):
        ctx = keyholding.key_context(case.id, row.holder, row.user_id)
        try:
            envelope.open_sealed(row.sealed_key, private, ctx)
        except DecryptionError:
            continue
        return True
    return False


def alerted(role_people) -> bool:
    ids = {p.id for p in role_people}
    kinds = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "key_alert")
    ).all()
    return ids <= set(kinds)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize("planted", [keypairs.generate, keypairs.generate_classical])
def test_a_planted_recovery_key_receives_nothing(app, agency_people, caplog, planted):
    attacker = planted()
    with db.engine.begin() as conn:  # the newest row, as the old code would have picked
        conn.execute(insert(RecoveryKey).values(public_key=attacker.public, created_at=utcnow()))
    with caplog.at_level(logging.ERROR):
        case, _ = self_referral(None, text="MARKER-PLANTED")
    assert not opens_with(attacker.private, case)
    # Saved all the same, and sealed to the pinned recovery key: the program can still reach it.
    real = keys.recovery_private_key(app.config["TEST_RECOVERY_CODE"])
    assert keyholding.recovery_data_key(case.id, real)
    assert case.assignee_id is not None  # and it reached a counselor
    assert "key check failed" in caplog.text
    assert "MARKER" not in caplog.text
    assert alerted([agency_people["admin"], agency_people["coordinator"]])
    result = run(app, "keys", "verify")
    assert result.exit_code == 1
    planted_id = db.session.scalar(
        select(RecoveryKey.id).where(RecoveryKey.public_key == attacker.public)
    )
    assert f"recovery_keys id={planted_id}: not the pinned recovery key" in result.output


def test_a_replaced_or_deleted_recovery_row_does_not_stop_a_request(app, agency_people):
    attacker = keypairs.generate()
    with db.engine.begin() as conn:
        conn.execute(update(RecoveryKey).values(public_key=attacker.public))
    case, _ = self_referral(None, text="MARKER-REPLACED")
    assert not opens_with(attacker.private, case)
    with db.engine.begin() as conn:
        conn.execute(RecoveryKey.__table__.delete())
    case, _ = self_referral(None, text="MARKER-DELETED")
    real = keys.recovery_private_key(app.config["TEST_RECOVERY_CODE"])
    assert keyholding.recovery_data_key(case.id, real)


def test_a_swapped_counselor_key_receives_nothing_and_the_case_still_goes_somewhere(
    app, agency_people, caplog
):
    counselor, other = agency_people["counselor"], agency_people["counselor2"]
    attacker = keypairs.generate()
    with db.engine.begin() as conn:
        # the attacker's key in the counselor's row, even with a real signature copied over
        stolen_signature = db.session.get(User, other.id).key_signature
        conn.execute(
            update(User)
            .where(User.id == counselor.id)
            .values(public_key=attacker.public, key_signature=stolen_signature)
        )
        conn.execute(
            update(CounselorProfile)
            .where(CounselorProfile.user_id == other.id)
            .values(available=False)
        )
    db.session.expire_all()
    with caplog.at_level(logging.ERROR):
        case, _ = self_referral(None, text="MARKER-SWAPPED")
    assert not opens_with(attacker.private, case)
    assert case.assignee_id != counselor.id  # routed past the failing key: coordinator's queue
    coordinator = keys.unlock(agency_people["coordinator"], "correct horse battery")
    assert opens_with(coordinator, case)
    assert f"account {counselor.id}" in caplog.text
    assert "MARKER" not in caplog.text
    assert alerted([agency_people["admin"], agency_people["coordinator"]])
    result = run(app, "keys", "verify")
    assert result.exit_code == 1
    assert f"users id={counselor.id} (kelly): public key signature does not verify" in result.output


def test_a_role_row_written_into_the_database_gives_no_cases(app, agency_people):
    """An officer's account given the counselor role by a database write, with an endorsement
    copied from a real counselor: never routed to, even when nobody else is available."""
    officer, counselor = agency_people["officer2"], agency_people["counselor"]
    copied = db.session.scalar(
        select(UserRole.endorsement).where(
            UserRole.user_id == counselor.id, UserRole.role == Role.COUNSELOR
        )
    )
    with db.engine.begin() as conn:
        conn.execute(
            insert(UserRole).values(user_id=officer.id, role="counselor", endorsement=copied)
        )
        conn.execute(
            insert(CounselorProfile).values(
                user_id=officer.id,
                supporter_type="peer",
                specialties=[],
                languages=[],
                available=True,
                on_call=True,
                caseload_cap=99,
            )
        )
        conn.execute(
            update(CounselorProfile)
            .where(CounselorProfile.user_id != officer.id)
            .values(available=False, on_call=False)
        )
    db.session.expire_all()
    private = keys.unlock(db.session.get(User, officer.id), "correct horse battery")
    for urgency in ("routine", "crisis"):
        case, _ = self_referral(None, urgency=urgency, text="MARKER-ROLE")
        assert case.assignee_id != officer.id
        assert not opens_with(private, case)
    result = run(app, "keys", "verify")
    assert result.exit_code == 1
    assert f"users id={officer.id} (sam): counselor endorsement does not verify" in result.output


def test_keys_verify_passes_on_an_untouched_instance(app, agency_people):
    self_referral(agency_people["officer"], text="MARKER-CLEAN")
    result = run(app, "keys", "verify")
    assert result.exit_code == 0, result.output
    assert "Every stored key checks out" in result.output
