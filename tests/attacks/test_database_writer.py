"""Attacker: someone who can write the database (not the instance folder) and wants to read
future cases by planting their own key. SECURITY.md, threat model: "database write access"."""

import logging

import pytest
from sqlalchemy import insert, select, update

from tests.factories import self_referral
from wellness.accounts.models import CounselorProfile, Role, User, UserRole
from wellness.cases import keyholding, rekeying
from wellness.cases.models import Case, CaseKey, KeyHolder
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


def test_a_swapped_key_on_the_person_asked_for_gets_nothing_and_still_alerts(app, agency_people):
    """The officer asked for this counselor by name (issue 17): a planted key means nothing
    is sent (they are asked to choose again), and the alert is raised all the same."""
    from tests.factories import post
    from wellness.directory import service as directory

    counselor = agency_people["counselor"]
    directory.save_profile(counselor, directory.ProfileFields(True, "Kelly", "", ["members"]))
    db.session.commit()
    attacker = keypairs.generate()
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == counselor.id).values(public_key=attacker.public))
    db.session.expire_all()
    client = app.test_client()
    form = {"urgency": "routine", "unit": 0, "text": "MARKER-PICK", "ask_for": counselor.id}
    page = post(client, "/help/anonymous", form, token_from="/help/anonymous")
    assert "Kelly cannot take a new request right now. Nothing has been sent." in page.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Case.id)) is None
    assert alerted([agency_people["admin"], agency_people["coordinator"]])


def test_a_crisis_asking_for_a_person_with_a_swapped_key_is_paged_to_someone_else(
    app, agency_people
):
    from tests.factories import post
    from wellness.directory import service as directory

    counselor = agency_people["counselor"]
    directory.save_profile(counselor, directory.ProfileFields(True, "Kelly", "", ["members"]))
    db.session.commit()
    with db.engine.begin() as conn:
        attacker = keypairs.generate()
        conn.execute(update(User).where(User.id == counselor.id).values(public_key=attacker.public))
    db.session.expire_all()
    client = app.test_client()
    form = {"urgency": "crisis", "unit": 0, "text": "MARKER-CRISIS", "ask_for": counselor.id}
    sent = post(client, "/help/anonymous", form, token_from="/help/anonymous")
    assert sent.status_code == 302  # never sent back in a crisis
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id != counselor.id
    assert not opens_with(attacker.private, case)
    assert "could not take it right now" in client.get("/help/sent").get_data(as_text=True)
    assert alerted([agency_people["admin"], agency_people["coordinator"]])


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


def test_a_role_grant_written_or_re_pointed_in_the_database_is_refused(app, agency_people):
    """The coordinator compares the person's code and approves; the database writer has
    re-pointed the proposal at their own account, or invented one 'proposed by' the admin."""
    from wellness.accounts import grants
    from wellness.accounts.models import RoleGrant
    from wellness.keys import trust

    admin, coordinator = agency_people["admin"], agency_people["coordinator"]
    alice, thief = agency_people["officer"], agency_people["officer2"]
    real = grants.propose(alice, Role.COUNSELOR, admin)
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(update(RoleGrant).where(RoleGrant.id == real.id).values(user_id=thief.id))
        conn.execute(
            insert(RoleGrant).values(
                user_id=thief.id, role="coordinator", proposed_by=admin.id, proposed_at=utcnow()
            )
        )
    db.session.expire_all()
    for grant in db.session.scalars(select(RoleGrant)).all():
        code = keypairs.safety_code(db.session.get(User, grant.user_id).public_key)
        with pytest.raises(grants.GrantError, match="carries no valid signature"):
            grants.approve(grant, coordinator, code)
    thief = db.session.get(User, thief.id)
    assert not trust.endorsed(thief, Role.COUNSELOR)
    assert not trust.endorsed(thief, Role.COORDINATOR)
    assert alerted([agency_people["admin"], agency_people["coordinator"]])


def test_planted_key_rows_and_index_entries_are_not_restored_to_the_planter(app, agency_people):
    """An officer who can write the database plants a key row and an index entry for someone
    else's case, then has their password reset and their access restored."""
    from tests.factories import reader
    from wellness.accounts import service as accounts
    from wellness.accounts import signin
    from wellness.cases import index
    from wellness.cases.models import KeyHolder
    from wellness.keys.models import IndexInbox

    victim, thief = agency_people["officer"], agency_people["officer2"]
    case, _ = self_referral(victim, text="MARKER-VICTIM")
    with db.engine.begin() as conn:
        conn.execute(
            insert(CaseKey).values(
                case_id=case.id, holder="user", user_id=thief.id, sealed_key=b"x" * 80
            )
        )
    # an index entry for the victim's case, sealed (as anyone can) to the thief's key
    thief_public = db.session.get(User, thief.id).public_key
    box = index.seal(
        [{"case": case.id, "as": "owner"}], thief_public, keys.index_context(thief_public)
    )
    db.session.add(IndexInbox(box=box))
    db.session.commit()
    signin.sign_in("sam", "correct horse battery", signin.login_policy())  # claims the inbox
    one_time = accounts.reset_password(db.session.get(User, thief.id), agency_people["admin"])
    thief = db.session.get(User, thief.id)
    accounts.change_password(thief, one_time, "the thief's own passphrase")
    rekeying.restore_access(
        thief,
        app.config["TEST_RECOVERY_CODE"],
        agency_people["coordinator"],
        keypairs.safety_code(thief.public_key),
    )
    db.session.expire_all()
    thief = db.session.get(User, thief.id)
    assert not opens_with(keys.unlock(thief, "the thief's own passphrase"), case)
    assert case.id not in keyholding.own_case_ids(reader(thief, "the thief's own passphrase", True))
    victim_row = keyholding.key_row(case.id, KeyHolder.OWNER)
    assert opens_with(keys.unlock(db.session.get(User, victim.id), "correct horse battery"), case)
    assert victim_row is not None


def _reset_and_choose(app, person, admin):
    from wellness.accounts import service as accounts

    one_time = accounts.reset_password(db.session.get(User, person.id), admin)
    person = db.session.get(User, person.id)
    accounts.change_password(person, one_time, "their own new passphrase")
    return db.session.get(User, person.id)


def test_a_key_row_sealed_to_a_genuine_retired_key_is_not_restored(app, agency_people):
    """Anyone can seal a box to a public key: a key row for someone else's case, sealed to a
    counselor's genuine retired key after a reset, opens with that key but holds a key of the
    writer's making, so a restore re-seals nothing from it (issue 23 review)."""
    from wellness.accounts import grants
    from wellness.keys.models import RetiredUserKey

    counselor, other = agency_people["counselor"], agency_people["counselor2"]
    case = make_case_for(agency_people["officer"], other)
    counselor = _reset_and_choose(app, counselor, agency_people["admin"])
    retired = db.session.scalars(select(RetiredUserKey)).one()
    planted = envelope.seal(
        b"\x07" * 32,
        retired.public_key,
        keyholding.key_context(case.id, KeyHolder.USER, counselor.id),
    )
    with db.engine.begin() as conn:
        conn.execute(
            insert(CaseKey).values(
                case_id=case.id, holder="user", user_id=counselor.id, sealed_key=planted
            )
        )
    grants.confirm_person(
        counselor, agency_people["coordinator"], keypairs.safety_code(counselor.public_key)
    )
    restored = rekeying.restore_access(
        counselor,
        app.config["TEST_RECOVERY_CODE"],
        agency_people["coordinator"],
        keypairs.safety_code(counselor.public_key),
    )
    assert restored == 0
    db.session.expire_all()
    assert not opens_with(keys.unlock(counselor, "their own new passphrase"), case)


def test_a_retired_key_row_written_into_the_database_is_not_restored(app, agency_people):
    from wellness.accounts import grants
    from wellness.keys.models import RetiredUserKey

    counselor, other = agency_people["counselor"], agency_people["counselor2"]
    case = make_case_for(agency_people["officer"], other)
    counselor = _reset_and_choose(app, counselor, agency_people["admin"])
    attacker = keypairs.generate()
    key = keyholding.recovery_data_key(
        case.id, keys.recovery_private_key(app.config["TEST_RECOVERY_CODE"])
    )  # (the writer does not have it: a box of their own making fails the same way)
    with db.engine.begin() as conn:
        conn.execute(
            insert(RetiredUserKey).values(
                user_id=counselor.id,
                public_key=attacker.public,
                recovery_sealed_key=envelope.seal(
                    attacker.private,
                    keys.recovery_public_key(),
                    keys.recovery_context(attacker.public),
                ),
                retired_at=utcnow(),
            )
        )
        conn.execute(
            insert(CaseKey).values(
                case_id=case.id,
                holder="user",
                user_id=counselor.id,
                sealed_key=envelope.seal(
                    key,
                    attacker.public,
                    keyholding.key_context(case.id, KeyHolder.USER, counselor.id),
                ),
            )
        )
    grants.confirm_person(
        counselor, agency_people["coordinator"], keypairs.safety_code(counselor.public_key)
    )
    assert (
        rekeying.restore_access(
            counselor,
            app.config["TEST_RECOVERY_CODE"],
            agency_people["coordinator"],
            keypairs.safety_code(counselor.public_key),
        )
        == 0
    )
    db.session.expire_all()
    assert not opens_with(keys.unlock(counselor, "their own new passphrase"), case)
    assert alerted([agency_people["admin"], agency_people["coordinator"]])


def test_an_index_planted_in_the_old_place_is_caught(app, agency_people):
    """An officer who never asked has no index row yet; an earlier release's index column on
    their account is covered by the account's MAC, so a writer cannot slip a case into it."""
    from tests.factories import PASSWORD
    from wellness.accounts import signin
    from wellness.cases import index

    officer = db.session.get(User, agency_people["officer2"].id)
    box = index.seal(
        [{"case": 999, "as": "owner"}], officer.public_key, keys.index_context(officer.public_key)
    )
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.id == officer.id).values(case_index=box))
    db.session.expire_all()
    with pytest.raises(signin.InvalidCredentialsError):
        signin.sign_in(officer.username, PASSWORD, signin.login_policy())
    result = run(app, "keys", "verify")
    assert f"users id={officer.id} (sam): row not written by this instance" in result.output


def test_a_refused_proposal_reopened_in_the_database_is_not_offered_or_approved(app, agency_people):
    from wellness.accounts import grants
    from wellness.accounts.models import RoleGrant

    admin, coordinator = agency_people["admin"], agency_people["coordinator"]
    officer = db.session.get(User, agency_people["officer2"].id)
    grant = grants.propose(officer, Role.COUNSELOR, admin)
    db.session.commit()
    grants.refuse(grant, coordinator)
    with db.engine.begin() as conn:
        conn.execute(update(RoleGrant).where(RoleGrant.id == grant.id).values(outcome=None))
    db.session.expire_all()
    assert grant.id not in {w.grant.id for w in grants.waiting() if w.grant}
    grant = db.session.get(RoleGrant, grant.id)
    with pytest.raises(grants.GrantError, match="no valid signature"):
        grants.approve(
            grant, agency_people["coordinator2"], keypairs.safety_code(officer.public_key)
        )
    assert not trust_endorsed(officer.id)


def trust_endorsed(user_id: int) -> bool:
    from wellness.keys import trust

    db.session.expire_all()
    return trust.endorsed(db.session.get(User, user_id), Role.COUNSELOR)


def make_case_for(officer, counselor):
    from tests.factories import make_case

    return make_case(officer, counselor)
