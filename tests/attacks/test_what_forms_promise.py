"""What the forms promise is true at the edges: the anonymous form's unit is not stored, not
even in the routing reasons a counselor reads; receipt look-ups cost the same whether a code
exists or not; control characters are refused, not stored."""

import json

import pytest
from sqlalchemy import select

from tests.attacks.conftest import dump_tables
from tests.factories import PASSWORD, login, post, reader
from wellness.accounts.models import Role
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.crypto import kdf, receipts
from wellness.extensions import db
from wellness.forms import CONTROL_MESSAGE
from wellness.referrals import receipt_lookup
from wellness.referrals import service as referrals
from wellness.referrals.models import Receipt


def test_the_anonymous_unit_is_used_for_routing_and_stored_nowhere(app, agency_people):
    from tests.factories import make_user
    from wellness.agency.models import Unit

    north = db.session.scalar(select(Unit).where(Unit.name == "Patrol North"))
    make_user("peer.north", Role.COUNSELOR, unit=north)  # would be excluded by the unit rule
    client = app.test_client()
    sent = post(
        client,
        "/help/anonymous",
        {"urgency": "routine", "topics": ["stress"], "text": "MARKER-ANON", "unit": north.id},
        token_from="/help/anonymous",
        follow_redirects=True,
    )
    assert sent.status_code == 200
    case = db.session.scalars(select(Case)).one()
    counselor = next(p for p in agency_people.values() if p.id == case.assignee_id)  # routed
    content = cases.open_case(case.id, reader(counselor), "case page")
    text = json.dumps(content)
    assert "Patrol North" not in text
    assert "unit" not in json.dumps(content["routing"]).lower()
    assert "chain of command" not in text
    assert str(north.id) not in [str(v) for v in content.values()]
    assert "unit" not in case.routing_summary.lower()
    assert "Patrol North" not in str(dump_tables()["cases"])


@pytest.fixture
def counted(monkeypatch):
    """Count Argon2id derivations (work, not milliseconds)."""
    calls = []
    original = kdf.derive_key

    def counting(password, params):
        calls.append(params.salt)
        return original(password, params)

    monkeypatch.setattr(kdf, "derive_key", counting)
    return calls


def test_a_receipt_look_up_costs_one_derivation_whatever_the_code(app, agency_people, counted):
    result = referrals.submit_anonymous_referral(
        referrals.SelfReferral(["stress"], "MARKER-RECEIPT", "routine")
    )
    real = result.receipt_code
    bucket = receipts.tag(real)
    same_bucket = _code_in_bucket(bucket, real)  # wrong, but its bucket holds a receipt
    wrong_in_empty = next(c for c in iter(receipts.new_code, None) if receipts.tag(c) != bucket)
    for code, found in ((real, True), (same_bucket, False), (wrong_in_empty, False)):
        counted.clear()
        if found:
            receipt_lookup.open_by_receipt(code)
        else:
            with pytest.raises(receipt_lookup.ReceiptNotFoundError):
                receipt_lookup.open_by_receipt(code)
        assert len(counted) == 1, code


def _code_in_bucket(bucket: int, avoid: str) -> str:
    """A code with the given 16-bit tag (about 65,000 tries on average)."""
    while True:
        code = receipts.new_code()
        if code != avoid and receipts.tag(code) == bucket:
            return code


def test_receipts_share_their_buckets_salt_which_a_stolen_database_cannot_compute(
    app, agency_people
):
    codes = [
        referrals.submit_anonymous_referral(
            referrals.SelfReferral(["stress"], "MARKER", "routine")
        ).receipt_code
        for _ in range(2)
    ]
    stored = db.session.scalars(select(Receipt)).all()
    for code, row in zip(codes, stored, strict=True):
        salt = kdf.KdfParams.decode(row.kdf).salt
        # derived from the tag and the instance's pepper, not stored at random per receipt
        assert salt == receipt_lookup.bucket_params(receipts.tag(code)).salt
        fake = receipts.bucket_params(receipts.tag(code), b"\0" * 32, 1, 1024).salt
        assert salt != fake


def test_control_characters_are_refused_with_a_clear_message_and_nothing_is_stored(
    app, agency_people
):
    officer = agency_people["officer"]
    client = app.test_client()
    login(client, officer, PASSWORD)
    for text in ("before\x00after", "esc\x1b[31m", "bell\x07", "del\x7f", "c1\x85"):
        page = post(
            client,
            "/help/self",
            {"urgency": "routine", "topics": ["stress"], "text": text, "contact_method": "phone"},
            token_from="/help/self",
            follow_redirects=True,
        )
        assert page.status_code == 200
        assert CONTROL_MESSAGE in page.get_data(as_text=True)
    ok = post(
        client,
        "/help/self",
        {
            "urgency": "routine",
            "topics": ["stress"],
            "text": "tabs\tand\r\nnew lines are fine",
            "contact_method": "phone",
        },
        token_from="/help/self",
        follow_redirects=True,
    )
    assert "Your request was sent" in ok.get_data(as_text=True)
    assert db.session.query(Case).count() == 1
