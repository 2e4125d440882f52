"""Hostile input renders inert and changes nothing it should not."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import login, make_user, post
from tests.htmlforms import forms_on
from tests.test_authorization import GET, authorization_world, url_for_rule
from wellness.accounts.models import Role, User
from wellness.agency.models import Unit
from wellness.cases.models import Case
from wellness.extensions import db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQLI = "'; DROP TABLE users; --"


@pytest.fixture
def people(app, ctx):
    return {
        "officer": make_user("jordan", Role.OFFICER),
        "counselor": make_user("kelly", Role.COUNSELOR),
    }


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.mark.parametrize("payload", [XSS, SQLI])
def test_stored_payloads_render_inert_everywhere_they_show(app, people, payload):
    officer = signed_in(app, people["officer"])
    post(
        officer,
        "/help/self",
        {
            "urgency": "routine",
            "text": payload,
            "language": payload[:40],
            "contact_method": "phone",
            "contact_details": payload[:200],
            "contact_time": payload[:100],
        },
        token_from="/help/self",
        follow_redirects=True,
    )
    case = db.session.scalars(select(Case)).one()
    counselor = signed_in(app, people["counselor"])
    url = f"/cases/{case.id}"
    post(counselor, f"{url}/message", {"body": payload}, token_from=url)
    post(counselor, f"{url}/note", {"body": payload}, token_from=url)
    pages = [counselor.get(url), officer.get(f"/me/referrals/{case.id}")]
    for page in pages:
        body = page.get_data(as_text=True)
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        if payload == XSS:
            assert "&lt;script&gt;" in body
    # The export keeps the officer's words verbatim, as data a browser will not render.
    export = officer.get("/me/export.json")
    assert export.mimetype == "application/json"
    assert export.headers["X-Content-Type-Options"] == "nosniff"
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # tables intact


def test_reflected_payloads_in_forms_and_queries_render_inert(app, people):
    client = app.test_client()
    body = post(client, "/login", {"username": XSS[:64], "password": "x"}).get_data(as_text=True)
    assert "<script>alert" not in body
    officer = signed_in(app, people["officer"])
    body = post(
        officer,
        "/help/concern",
        {"colleague": XSS[:120], "urgency": "routine"},
        token_from="/help/concern",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "<script>alert" not in body
    body = post(
        client, "/receipt", {"code": XSS[:40]}, token_from="/receipt", follow_redirects=True
    ).get_data(as_text=True)
    assert "<script>alert" not in body


def test_sql_injection_in_search_and_names_changes_nothing(app, people):
    admin = signed_in(app, make_user("itadmin", Role.ADMIN))
    for query in [SQLI, "%' OR '1'='1", "_%"]:
        assert admin.get("/admin/", query_string={"q": query}).status_code == 200
    officer = signed_in(app, people["officer"])
    post(
        officer,
        "/help/concern",
        {"colleague": "x' OR '1'='1", "urgency": "routine"},
        token_from="/help/concern",
        follow_redirects=True,
    )
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
SHORT_PAYLOAD = "<script>alert(1)</script>"
RAW = ("<script>alert", "<img src=x")
# Forms the sweep leaves alone: they end sessions, reset accounts or hand the case away, which
# would stop the rest of the sweep from seeing anything. Each has its own tests.
NOT_SWEPT = ("/logout", "/password", "/withdraw", "/decline", "/reset-", "/transfer", "/login")


ERROR_ID = re.compile(r'<p class="error" id="([\w-]+)-error"')
SENSIBLE = {"email": "someone@example.org", "tel": "555-0100"}


def fill(form, refused=frozenset()):  # type: ignore[no-untyped-def]
    """Fill a form like a person would, with the payload in every box one can type into.

    Boxes named in ``refused`` (the server refused the payload there) get a sensible value
    instead, so that the payloads in the other boxes are stored and shown again.
    """
    data: dict[str, list[str]] = {}
    for c in form.controls:
        if c.kind in ("text", "textarea", "search", "email", "tel", "url"):
            if c.name in refused:
                value = SENSIBLE.get(c.kind, "24")
            elif c.maxlength is None or c.maxlength >= len(PAYLOAD):
                value = PAYLOAD
            else:
                value = SHORT_PAYLOAD[: c.maxlength]
        elif c.kind == "select":
            value = next((o for o in c.options if o), "")
        elif c.kind == "radio":
            if c.name in data:
                continue
            value = c.value
        elif c.kind == "date":
            value = date.today().isoformat()
        elif c.kind == "datetime-local":
            value = (date.today() + timedelta(days=2)).isoformat() + "T10:00"
        elif c.kind == "number":
            value = "1"
        else:  # hidden, checkbox, password (left empty: no form with one is swept)
            value = c.value if c.kind != "password" else ""
        data.setdefault(c.name, []).append(value)
    return data


def test_payloads_in_every_text_field_of_every_form_render_inert_on_every_page(app, ctx):
    """Every role fills every form it can reach, twice: with the payload in every box, then
    with sensible values where the server refused it. Then every page every role sees is read.
    """
    people, case = authorization_world()
    roles = ["anonymous", "officer", "supervisor", "counselor", "coordinator", "admin"]
    clients = {r: app.test_client() for r in roles}
    for role in roles[1:]:
        login(clients[role], people[role])
    ids = {
        "case_id": case.id,
        "user_id": people["officer"].id,
        "unit_id": db.session.scalars(select(Unit.id)).first(),
        "key": "phq9",
        "filename": "style.css",
        **people["ids"],
    }
    pages = {
        role: [
            url_for_rule(rule, ids)
            for rule in app.url_map.iter_rules()
            if GET.get(rule.endpoint, {}).get(role) == 200 and rule.endpoint != "static"
        ]
        for role in roles
    }

    def submit(client, role, form, refused=frozenset()):  # type: ignore[no-untyped-def]
        response = client.post(form.action, data=fill(form, refused))
        assert response.status_code < 500, (role, form.action)
        body = response.get_data(as_text=True)
        assert not any(raw in body for raw in RAW), (role, form.action)
        return set(ERROR_ID.findall(body))

    submitted = 0
    for role in roles:
        client, done = clients[role], set()
        for url in pages[role]:
            for form in forms_on(client.get(url).get_data(as_text=True)):
                form.action = form.action or url
                if form.method != "post" or form.action in done:
                    continue
                if any(part in form.action for part in NOT_SWEPT):
                    continue
                done.add(form.action)
                refused = submit(client, role, form)
                if refused:
                    submit(client, role, form, frozenset(refused))
                submitted += 1
    assert submitted >= 25  # the sweep really reached the forms

    shown_escaped = set()
    for role in roles:
        for url in pages[role]:
            response = clients[role].get(url)
            if response.mimetype != "text/html":
                continue
            body = response.get_data(as_text=True)
            assert not any(raw in body for raw in RAW), (role, url)
            if "&lt;script&gt;alert" in body:
                shown_escaped.add(url)
    # Stored payloads came back, escaped, on the pages that list what people typed.
    assert len(shown_escaped) >= 12, shown_escaped
