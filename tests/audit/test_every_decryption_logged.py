"""Every decryption of case content writes an access-log entry (PRODUCT.md, SECURITY.md).

Each role opens every page the authorization table gives it and sends every form on it (the
same walk as tests/test_post_redirect_get.py, from the app's URL map, so a new page or form is
walked without anyone adding it here). Every call that decrypts a case's content, a message, a
note or a check-in answer is counted; after each request, every case opened in it must have an
entry in the access log written by that request. Before issue 23, a counselor's message opened
the case's content to find whom to push (``_named_owner``) and logged nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.htmlforms import forms_on
from tests.test_authorization import ROLES, authorization_world, client_for
from tests.test_post_redirect_get import filled, ordered, pages_for
from wellness.audit import service as audit
from wellness.audit.models import AccessLogEntry
from wellness.cases.models import Case, Message, Note
from wellness.checkins.models import CheckIn
from wellness.crypto import fields, records
from wellness.extensions import db

CONTENT = {
    (f.table, f.name): model
    for f, model in (
        (fields.CASE_CONTENT, Case),
        (fields.MESSAGE_BODY, Message),
        (fields.NOTE_BODY, Note),
        (fields.CHECKIN_ANSWER, CheckIn),
    )
}


@pytest.fixture
def opened(monkeypatch):
    """(table, row id) of every content decryption, as it happens."""
    seen: list[tuple[str, int]] = []
    real = records.decrypt

    def counting(key: bytes, blob: bytes, context: bytes) -> bytes:
        plain = real(key, blob, context)
        parts = context.split(b":", 4)
        if len(parts) == 5 and (parts[2].decode(), parts[4].decode(errors="replace")) in CONTENT:
            seen.append((parts[2].decode(), int(parts[3])))
        return plain

    monkeypatch.setattr(records, "decrypt", counting)
    return seen


def case_of(table: str, row_id: int) -> int | None:
    model = CONTENT[next(key for key in CONTENT if key[0] == table)]
    if model is Case:
        return row_id
    return db.session.scalar(select(model.case_id).where(model.id == row_id))


def logged_refs(after_seq: int) -> set[str]:
    return set(
        db.session.scalars(
            select(AccessLogEntry.case_ref).where(
                AccessLogEntry.seq > after_seq, AccessLogEntry.case_ref.is_not(None)
            )
        )
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_request_that_opens_case_content_logs_it(app, ctx, role, opened):
    people, case = authorization_world()
    ids = {
        "case_id": case.id,
        "user_id": people["officer"].id,
        "unit_id": case.id,
        "key": "phq9",
        "filename": "style.css",
        **people["ids"],
    }
    client = client_for(app, people, role)
    requests_that_opened = []

    def check(what: str, send):  # type: ignore[no-untyped-def]
        db.session.remove()
        before, _ = audit.head()
        opened.clear()
        response = send()
        db.session.remove()
        cases = {case_of(table, row) for table, row in opened} - {None}
        live = set(db.session.scalars(select(Case.id).where(Case.id.in_(cases))))
        refs = logged_refs(before)
        for case_id in live:
            assert audit.case_reference(case_id) in refs, f"{what} opened case {case_id} unlogged"
        if live:
            requests_that_opened.append(what)
        return response

    for url in pages_for(app, role, ids):
        page = check(f"GET {url} as {role}", lambda url=url: client.get(url))
        if page.status_code != 200 or not page.content_type.startswith("text/html"):
            continue
        for form in ordered(forms_on(page.get_data(as_text=True))):
            target, data = form.action or url, filled(form)
            check(f"POST {target} as {role}", lambda t=target, d=data: client.post(t, data=d))
    if role in ("officer", "counselor"):  # the walk really opened content
        assert requests_that_opened, f"nothing was opened as {role}"
    if role == "counselor":
        assert any("/message" in what for what in requests_that_opened)
