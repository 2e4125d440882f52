"""Invisible and direction-changing characters are refused wherever text is stored (issue 23):
every text field of every form each role can open, and every command-line argument that is
stored, with a clear message and nothing stored. SECURITY.md, "Sign-in".
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from tests.htmlforms import forms_on
from tests.test_authorization import ROLES, authorization_world, client_for
from tests.test_post_redirect_get import filled, fingerprint, ordered, pages_for
from wellness import characters
from wellness.accounts.models import User
from wellness.agency.models import Unit
from wellness.extensions import db

REFUSED = [
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
    "\u061c",  # Arabic letter mark
    "\U000e0041",  # tag latin capital letter A ("ASCII smuggling")
    "\x1b",  # escape
    "\x00",  # NUL
    "\x85",  # next line (C1)
]
ALLOWED = [
    "plain words",
    "tabs\tand\r\nnew lines",
    "Zoë, Łukasz, José",
    "שלום עליכם",  # right-to-left letters are letters, not overrides
    "مرحبا",
    "می\u200cخواهم",  # Persian with a zero-width non-joiner
    "👨\u200d👩\u200d👧",  # an emoji family: zero-width joiners
    "👍🏽",
]


@pytest.mark.parametrize("text", [f"before{c}after" for c in REFUSED])
def test_refused_characters(text):
    assert characters.refused(text) is not None


@pytest.mark.parametrize("text", ALLOWED)
def test_what_people_really_type_is_kept(text):
    assert characters.refused(text) is None


TEXT_KINDS = {"text", "textarea", "search", "email", "tel", "url"}  # (a password is hashed)


@pytest.mark.parametrize("role", ROLES)
def test_every_text_field_of_every_form_refuses_them_and_stores_nothing(app, ctx, role):
    people, case = authorization_world()
    ids = {
        "case_id": case.id,
        "user_id": people["officer"].id,
        "unit_id": db.session.scalars(select(Unit.id)).first(),
        "key": "phq9",
        "filename": "style.css",
        **people["ids"],
    }
    client = client_for(app, people, role)
    chars = itertools.cycle(REFUSED)
    tried = 0
    for url in pages_for(app, role, ids):
        page = client.get(url)
        if page.status_code != 200 or not page.content_type.startswith("text/html"):
            continue
        for form in ordered(forms_on(page.get_data(as_text=True))):
            texts = [c.name for c in form.controls if c.kind in TEXT_KINDS]
            if not texts:
                continue
            data = filled(form)
            for name in texts:
                data[name] = f"{data.get(name) or 'x'}{next(chars)}typed"
            before = fingerprint()
            db.session.remove()
            response = client.post(form.action or url, data=data)
            tried += 1
            what = f"POST {form.action or url} (from {url}) as {role}"
            assert response.status_code < 500, what
            assert fingerprint() == before, f"{what} stored something"
            assert characters.MESSAGE in response.get_data(as_text=True), what
    assert tried, f"no form with text was tried as {role}"


@pytest.mark.parametrize(
    "args",
    [
        ["create-user", "mal\u202eory", "--name", "Mallory", "--role", "officer"],
        ["create-user", "mallory", "--name", "Mal\x1b[31mlory", "--role", "officer"],
        ["create-user", "mallory", "--name", "Mal\u200blory", "--role", "officer"],
        ["create-unit", "North\u2028Patrol"],
        ["create-unit", "North\u202e"],
    ],
)
def test_command_line_arguments_that_are_stored_refuse_them(app, ctx, args):
    users, units = db.session.query(User).count(), db.session.query(Unit).count()
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert characters.MESSAGE in result.output
    db.session.remove()
    assert (db.session.query(User).count(), db.session.query(Unit).count()) == (users, units)
