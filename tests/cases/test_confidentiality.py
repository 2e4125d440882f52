"""PRODUCT.md, 'Confidentiality: what must be technically true', proven."""

import contextlib
import re
import shutil

import pytest
from sqlalchemy import inspect, select, text

from tests.factories import PASSWORD, login, make_case, make_user, post, reader
from wellness.accounts import grants, signin
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.audit import service as audit
from wellness.audit.models import AccessLogEntry
from wellness.cases import keyholding, rekeying, state
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.crypto import keypairs, serverkeys
from wellness.crypto.context import context
from wellness.crypto.errors import RecoveryCodeError
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys.models import CaseIndex, IndexInbox
from wellness.referrals import assignment

MARKERS = ["MARKER-TEXT", "MARKER-SUBJECT", "MARKER-REPORTER"]


@pytest.fixture
def people(ctx):
    return {
        "officer": make_user("jordan", Role.OFFICER),
        "quiet_officer": make_user("sam", Role.OFFICER),
        "counselor": make_user("kelly", Role.COUNSELOR),
        "other_counselor": make_user("luis", Role.COUNSELOR),
        "coordinator": make_user("maria", Role.COORDINATOR, Role.COUNSELOR),
        "admin": make_user("itadmin", Role.ADMIN),
        "supervisor": make_user("sgt", Role.SUPERVISOR, Role.OFFICER),
    }


def test_owner_and_assigned_counselor_can_read_and_every_read_is_logged(people):
    case = make_case(people["officer"], people["counselor"])
    as_counselor = cases.open_case(case.id, reader(people["counselor"]), "case page")
    as_owner = cases.open_case(case.id, reader(people["officer"], as_owner=True), "my referrals")
    assert as_counselor["text"].startswith("MARKER-TEXT")
    assert as_owner == as_counselor
    log = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    ref = audit.case_reference(case.id)  # the case, by a value keyed with its own key
    assert [(e.actor_kind, e.actor_id, e.case_ref) for e in log] == [
        ("counselor", people["counselor"].id, ref),
        ("owner", None, ref),  # who asked is never written down, not even here
    ]


@pytest.mark.parametrize(
    "who", ["other_counselor", "coordinator", "admin", "supervisor", "quiet_officer"]
)
def test_nobody_the_case_is_not_shared_with_can_open_it(people, who):
    case = make_case(people["officer"], people["counselor"])
    for as_owner in (False, True):
        with pytest.raises(cases.NotSharedError):
            cases.open_case(case.id, reader(people[who], as_owner=as_owner), "curious")
    assert db.session.scalar(select(AccessLogEntry.id)) is None


def dump_database() -> bytes:
    """Every value of every row of every table, as a thief with a database copy would see it."""
    out = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                for value in row:
                    out.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(out)


def test_stolen_database_and_server_config_reveal_no_case_text(app, people, tmp_path):
    officer, counselor = people["officer"], people["counselor"]
    case = make_case(officer, counselor)
    cases.open_case(case.id, reader(counselor), "case page")
    # The thief takes the database and the whole instance folder (keys and configuration).
    stolen = tmp_path / "stolen"
    shutil.copytree(app.instance_path, stolen / "instance")
    raw = dump_database()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raw += (tmp_path / "test.db").read_bytes()
    raw += b"".join(p.read_bytes() for p in (stolen / "instance").rglob("*") if p.is_file())
    for marker in MARKERS:
        assert marker.encode() not in raw

    # With the server keys, every class-B value the thief can open holds no case text.
    ring = serverkeys.load(stolen / "instance" / "keys")
    opened = []
    for token in re.findall(rb"sk[12]\.\d+\.[A-Za-z0-9_=-]+", raw):
        for user in db.session.scalars(select(User)):
            for field in ("totp_secret",):
                with contextlib.suppress(serverkeys.ServerKeyError):
                    opened.append(ring.decrypt(token.decode(), context("users", user.id, field)))
    assert opened  # the thief does get the TOTP secrets: they are class B
    assert not any(marker.encode() in value for value in opened for marker in MARKERS)

    # Nothing in clear links the officer who asked to the case.
    row = db.session.get(Case, case.id)
    keys_of_case = db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id)).all()
    assert officer.id not in {k.user_id for k in keys_of_case}
    assert officer.id not in {row.assignee_id}
    assert officer.id not in set(db.session.scalars(select(AccessLogEntry.actor_id)))
    # ...and the officer's index says nothing of whose it is: one row for each person with an
    # entry (here the officer alone), under a handle only their private key derives, padded.
    indexes = db.session.scalars(select(CaseIndex)).all()
    assert len(indexes) == 1
    assert indexes[0].handle == keys.index_handle(keys.unlock(officer, PASSWORD))
    assert officer.username.encode() not in indexes[0].handle + indexes[0].box


def test_admin_cannot_read_a_case_through_any_page(app, people):
    case = make_case(people["officer"], people["counselor"])
    client = app.test_client()
    login(client, people["admin"])
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        page = re.sub(r"<[^>]+>", str(case.id), rule.rule)
        body = client.get(page).get_data()
        assert not any(marker.encode() in body for marker in MARKERS), page


def test_password_change_keeps_access(app, people):
    officer = people["officer"]
    case = make_case(officer, people["counselor"])
    client = app.test_client()
    login(client, officer)
    post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "a new long passphrase", "confirm": "a new long passphrase"},
        token_from="/account/password",
    )
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    content = cases.open_case(case.id, reader(officer, "a new long passphrase", as_owner=True), "x")
    assert content["subject"]["name"].startswith("MARKER-SUBJECT")


def test_reset_without_the_recovery_code_leaves_cases_locked(app, people):
    counselor, officer = people["counselor"], people["officer"]
    case = make_case(officer, counselor)
    temp_counselor, temp_officer = (
        accounts.reset_password(counselor),
        accounts.reset_password(officer),
    )
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(counselor, temp_counselor), "after reset")
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(officer, temp_officer, as_owner=True), "after reset")
    with pytest.raises(RecoveryCodeError):
        rekeying.restore_access(
            counselor, "AAAAA-" * 11 + "AAA", people["coordinator"], safety(counselor)
        )
    other_program = "C318H-38W8X-V5733-TN10H-0ET11-0PJRB-M5D2M-3WW25-T7XJG-XWDXD-3Z6C8-1EC"
    with pytest.raises(RecoveryCodeError):
        rekeying.restore_access(counselor, other_program, people["coordinator"], safety(counselor))
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(counselor, temp_counselor), "still locked")


def safety(user):
    """The safety code the person reads out from their Account page."""
    return keypairs.safety_code(user.public_key)


def choose_own_password(user, one_time, new="my own long passphrase"):
    """What a person does at their first sign-in after a reset."""
    signin.sign_in(user.username, one_time, signin.login_policy())
    accounts.change_password(user, one_time, new)
    return new


def test_reset_then_recovery_code_restores_access(app, people):
    counselor, officer, coordinator = people["counselor"], people["officer"], people["coordinator"]
    case = make_case(officer, counselor)
    code = app.config["TEST_RECOVERY_CODE"]
    temp_counselor, temp_officer = (
        accounts.reset_password(counselor),
        accounts.reset_password(officer),
    )
    with pytest.raises(RecoveryCodeError, match="choose their own password first"):
        rekeying.restore_access(counselor, code, coordinator, safety(counselor))
    pw_counselor = choose_own_password(counselor, temp_counselor)
    pw_officer = choose_own_password(officer, temp_officer)
    with pytest.raises(rekeying.RestoreError, match="Confirm them on the team page first"):
        rekeying.restore_access(counselor, code, coordinator, safety(counselor))
    with pytest.raises(rekeying.RestoreError, match="does not match"):
        rekeying.restore_access(officer, code, coordinator, "0000 0000 0000 0000 0000")
    grants.confirm_person(counselor, coordinator, safety(counselor))
    assert rekeying.restore_access(counselor, code, coordinator, safety(counselor)) == 1
    relaxed = code.lower().replace("-", " ")
    assert rekeying.restore_access(officer, relaxed, coordinator, safety(officer).lower()) == 1
    assert cases.open_case(case.id, reader(counselor, pw_counselor), "x")["text"]
    # Restored entries wait in the unaddressed inbox; the officer's next sign-in takes them.
    sizes = {len(i.box) for i in db.session.scalars(select(CaseIndex))}
    assert len(sizes) <= 1  # every index still one padded box: nothing shows who was restored
    assert db.session.query(IndexInbox).count() == 2  # one per person restored, addressed to nobody
    signin.sign_in("jordan", pw_officer, signin.login_policy())
    assert cases.own_case_ids(reader(officer, pw_officer)) == [case.id]
    assert cases.open_case(case.id, reader(officer, pw_officer, as_owner=True), "x")["text"]


def test_the_one_time_password_the_admin_saw_opens_nothing_later(app, people):
    """An admin who keeps the key wrapped under the one-time password gains nothing by it."""
    from wellness.crypto import kdf, keypairs
    from wellness.crypto.errors import DecryptionError

    counselor, officer = people["counselor"], people["officer"]
    one_time = accounts.reset_password(counselor)
    kept = (counselor.wrapped_private_key, counselor.key_kdf, counselor.public_key)
    choose_own_password(counselor, one_time)
    grants.confirm_person(counselor, people["coordinator"], safety(counselor))
    case = make_case(officer, counselor)  # shared with the counselor after their change
    rekeying.restore_access(
        counselor, app.config["TEST_RECOVERY_CODE"], people["coordinator"], safety(counselor)
    )
    wrapped, params, public = kept
    stale_private = keypairs.unwrap_private(
        wrapped,
        kdf.derive_key(one_time, kdf.KdfParams.decode(params)),
        b"wellness:v1:users:private_key:" + public,
    )
    row = db.session.scalar(
        select(CaseKey).where(CaseKey.case_id == case.id, CaseKey.user_id == counselor.id)
    )
    from wellness.crypto import envelope

    with pytest.raises(DecryptionError):
        envelope.open_sealed(
            row.sealed_key, stale_private, context("case_keys", case.id, f"user:{counselor.id}")
        )


def test_nothing_is_routed_to_someone_before_their_first_own_password(app, people):

    accounts.reset_password(people["counselor"])
    roster = {c.id for c in assignment.roster()}
    assert people["counselor"].id not in roster
    assert people["other_counselor"].id in roster


def test_coordinator_restores_access_through_the_page(app, people):
    counselor = people["counselor"]
    case = make_case(people["officer"], counselor)
    temp = choose_own_password(counselor, accounts.reset_password(counselor))
    grants.confirm_person(counselor, people["coordinator"], safety(counselor))
    client = app.test_client()
    login(client, people["coordinator"])
    wrong = post(
        client,
        "/coordinator/restore-access",
        {"username": "kelly", "code": "not a code", "safety_code": safety(counselor)},
        token_from="/coordinator/restore-access",
    )
    assert "does not work" in wrong.get_data(as_text=True)
    code = app.config["TEST_RECOVERY_CODE"]
    not_them = post(
        client,
        "/coordinator/restore-access",
        {"username": "kelly", "code": code, "safety_code": "ABCD ABCD ABCD ABCD ABCD"},
        token_from="/coordinator/restore-access",
    )
    assert "does not match this account" in not_them.get_data(as_text=True)
    right = post(
        client,
        "/coordinator/restore-access",
        {"username": "kelly", "code": code, "safety_code": safety(counselor)},
        token_from="/coordinator/restore-access",
    )
    assert right.status_code == 302
    db.session.expire_all()
    assert cases.open_case(case.id, reader(db.session.get(User, counselor.id), temp), "x")


@pytest.mark.parametrize("who", ["officer", "counselor", "admin", "supervisor"])
def test_only_coordinators_reach_the_recovery_page(app, people, who):
    client = app.test_client()
    login(client, people[who])
    assert client.get("/coordinator/restore-access").status_code == 403


def test_shredding_leaves_nothing_decryptable(app, people):
    officer, counselor = people["officer"], people["counselor"]
    case = make_case(officer, counselor)
    ciphertexts = [case.content] + [
        k.sealed_key for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))
    ]
    state.destroy([case.id])
    db.session.commit()
    for who, as_owner in [(officer, True), (counselor, False)]:
        with pytest.raises(cases.NotSharedError):
            cases.open_case(case.id, reader(who, as_owner=as_owner), "after shredding")
    # Not even the recovery key can bring it back: its sealed copy went with the others.
    assert db.session.scalar(select(CaseKey).where(CaseKey.case_id == case.id)) is None
    assert (
        rekeying.restore_access(
            counselor, app.config["TEST_RECOVERY_CODE"], people["coordinator"], safety(counselor)
        )
        == 0
    )
    left = dump_database()
    assert not any(blob in left for blob in ciphertexts)  # gone from the database itself
    assert db.session.get(Case, case.id) is None  # the row too: ids are never reused


def test_sharing_and_unsharing(people):
    case = make_case(people["officer"], people["counselor"])
    keyholding.share_case(
        case.id, reader(people["counselor"]), people["coordinator"], Role.COORDINATOR
    )
    assert cases.open_case(case.id, reader(people["coordinator"]), "shared with me")["text"]
    keyholding.unshare_case(case.id, people["counselor"])
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(people["counselor"]), "after transfer")
    holders = {
        k.holder for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))
    }
    assert holders == {KeyHolder.USER, KeyHolder.OWNER, KeyHolder.RECOVERY}
