"""An instance made by an earlier release (classical X25519 keys, hand-made seals, a classical
recovery key, receipts with salts of their own) keeps working, and moves to hybrid HPKE: each
account at its holder's next sign-in, each receipt at its next use, the recovery key with
``rotate-recovery``. ``keys status`` counts what is still classical."""

import json

from sqlalchemy import delete, select

from tests.crypto.legacy import seal_v1
from tests.factories import PASSWORD, make_user, reader
from wellness.accounts import signin
from wellness.accounts.models import Role, User
from wellness.cases import index, keyholding
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.crypto import context, envelope, kdf, keypairs, receipts, records, recovery
from wellness.extensions import db
from wellness.keyring import pin_recovery_key
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.keys.models import CaseIndex, RecoveryKey
from wellness.referrals import receipt_lookup
from wellness.referrals import service as referrals
from wellness.referrals.models import Receipt


def make_it_legacy(user: User, old_recovery: keypairs.Keypair, cases_owned: list[int]) -> bytes:
    """Give ``user`` what an earlier release stored: a classical keypair wrapped under their
    password, sealed the old way to the recovery key, an index in the users row."""
    pair = keypairs.generate_classical()
    params = kdf.KdfParams.decode(user.key_kdf)
    keys.drop_index(keys.unlock(user, PASSWORD))
    user.public_key = pair.public
    user.wrapped_private_key = keypairs.wrap_private(
        pair.private, kdf.derive_key(PASSWORD, params), keys._ctx("private_key", pair.public)
    )
    user.recovery_sealed_key = seal_v1(
        pair.private, old_recovery.public, keys.recovery_context(pair.public)
    )
    user.case_index = _legacy_index(user, cases_owned)
    trust.sign_own_key(user)  # as `keys adopt` does
    for row in user.role_rows:
        if row.role == Role.COUNSELOR:
            trust.endorse(user, row.role)
    return pair.private


def legacy_case(owner: User, counselor: User, old_recovery: keypairs.Keypair) -> Case:
    case = Case(kind="self_referral", urgency="routine", status="new")
    db.session.add(case)
    db.session.flush()
    key = records.new_data_key()
    body = {"type": "self_referral", "who": {"user_id": owner.id}, "text": "MARKER-OLD"}
    case.content = records.encrypt(
        key, json.dumps(body).encode(), context.context("cases", case.id, "content")
    )
    case.assignee_id = counselor.id
    for holder, public, user_id in (
        (KeyHolder.OWNER, owner.public_key, None),
        (KeyHolder.USER, counselor.public_key, counselor.id),
        (KeyHolder.RECOVERY, old_recovery.public, None),
    ):
        ctx = keyholding.key_context(case.id, holder, user_id)
        db.session.add(
            CaseKey(
                case_id=case.id,
                holder=holder,
                user_id=user_id,
                sealed_key=seal_v1(key, public, ctx),
            )
        )
    return case


def legacy_instance(app):
    """The fixture instance, turned into one of an earlier release; returns its pieces."""
    old_recovery = keypairs.generate_classical()
    db.session.execute(delete(RecoveryKey))
    db.session.add(RecoveryKey(public_key=old_recovery.public))
    pin_recovery_key(old_recovery.public, replace=True)
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    make_it_legacy(counselor, old_recovery, [])
    make_it_legacy(officer, old_recovery, [])
    db.session.flush()
    case = legacy_case(officer, counselor, old_recovery)
    db.session.flush()
    officer.case_index = _legacy_index(officer, [case.id])
    db.session.commit()
    return old_recovery, officer, counselor, case


def _legacy_index(user, case_ids):
    entries = [{"case": c, "as": "owner"} for c in case_ids]
    plain = json.dumps(entries, separators=(",", ":")).encode()
    plain += b"\0" * (-len(plain) % index.PAD_STEP)
    return index._pack([seal_v1(plain, user.public_key, keys.index_context(user.public_key))])


def test_an_earlier_releases_data_opens_and_moves_to_hybrid_at_sign_in(app, ctx):
    old_recovery, officer, counselor, case = legacy_instance(app)
    status = app.test_cli_runner().invoke(args=["keys", "status"]).output
    assert "account keys: 2 classical" in status
    assert "still classical" in status
    # both can still read, the old way
    assert cases.open_case(case.id, reader(counselor), "x")["text"] == "MARKER-OLD"
    assert cases.open_case(case.id, reader(officer, as_owner=True), "x")["text"] == "MARKER-OLD"
    # signing in moves each account to a hybrid keypair, everything re-sealed in place
    for person in (officer, counselor):
        signin.sign_in(person.username, PASSWORD, signin.login_policy())
    db.session.expire_all()
    officer, counselor = db.session.get(User, officer.id), db.session.get(User, counselor.id)
    assert keypairs.is_hybrid(officer.public_key)
    assert keypairs.is_hybrid(counselor.public_key)
    assert officer.case_index is None  # the index moved to its own unlinkable row
    assert trust.endorsed(counselor, Role.COUNSELOR)  # the confirmed role came along
    assert cases.open_case(case.id, reader(counselor), "x")["text"] == "MARKER-OLD"
    assert cases.own_case_ids(reader(officer, as_owner=True)) == [case.id]
    rows = db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id)).all()
    kinds = {row.holder: row.sealed_key[:1] for row in rows}
    assert kinds[KeyHolder.USER] == kinds[KeyHolder.OWNER] == b"\x02"
    assert kinds[KeyHolder.RECOVERY] == b"\x01"  # until rotate-recovery
    # Only the officer has entries: an index row is made with someone's first entry
    assert db.session.query(CaseIndex).count() == 1


def test_rotate_recovery_takes_the_old_code_and_prints_a_new_one_once(app, ctx, tmp_path):
    old_recovery, officer, counselor, case = legacy_instance(app)
    code_file = tmp_path / "old-code"
    code_file.write_text(recovery.encode(old_recovery.private))
    wrong = tmp_path / "wrong"
    wrong.write_text(app.config["TEST_RECOVERY_CODE"])  # a real code, of another key
    refused = app.test_cli_runner().invoke(
        args=["rotate-recovery", "--recovery-code-file", str(wrong)]
    )
    assert refused.exit_code != 0
    assert "nothing changed" in refused.output
    result = app.test_cli_runner().invoke(
        args=["rotate-recovery", "--recovery-code-file", str(code_file)]
    )
    assert result.exit_code == 0, result.output
    new_code = [line.strip() for line in result.output.splitlines() if line.count("-") == 11][0]
    new_private = keys.recovery_private_key(new_code)
    assert keypairs.is_hybrid(new_private)
    assert keyholding.recovery_data_key(case.id, new_private)
    db.session.expire_all()
    for user in db.session.scalars(select(User)):
        ctx = keys.recovery_context(user.public_key)
        assert envelope.open_sealed(user.recovery_sealed_key, new_private, ctx)
    status = app.test_cli_runner().invoke(args=["keys", "status"]).output
    assert "recovery key: 1 hybrid" in status
    assert "case keys (sealed boxes): 1 hybrid, 2 legacy" in status


def test_a_receipt_of_an_earlier_release_opens_and_moves_to_its_buckets_salt(app, ctx):
    make_user("kelly", Role.COUNSELOR)
    result = referrals.submit_anonymous_referral(
        referrals.SelfReferral(["stress"], "MARKER-RECEIPT", "routine")
    )
    code = result.receipt_code
    receipt = db.session.get(Receipt, result.case_id)
    # as an earlier release stored it: a salt of its own, a classical key
    old_params = kdf.new_params(1, 1024, 1)
    old = receipts.keypair_from_seed(receipts.derive_seed(code, old_params), hybrid=False)
    row = keyholding.key_row(result.case_id, KeyHolder.RECEIPT)
    ctx = keyholding.key_context(result.case_id, KeyHolder.RECEIPT, None)
    key = keyholding.recovery_data_key(
        result.case_id, keys.recovery_private_key(app.config["TEST_RECOVERY_CODE"])
    )
    row.sealed_key = seal_v1(key, old.public, ctx)
    receipt.kdf, receipt.public_key = old_params.encode(), old.public
    db.session.commit()
    case_id, found = receipt_lookup.open_by_receipt(code)
    assert case_id == result.case_id
    assert cases.open_case(case_id, found, "receipt page")["text"] == "MARKER-RECEIPT"
    db.session.expire_all()
    receipt = db.session.get(Receipt, result.case_id)
    assert keypairs.is_hybrid(receipt.public_key)
    assert receipt.kdf == receipt_lookup.bucket_params(receipts.tag(code)).encode()
    assert receipt_lookup.open_by_receipt(code)[0] == case_id  # and it keeps opening
