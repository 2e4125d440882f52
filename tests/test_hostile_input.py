"""Hostile input renders inert and changes nothing it should not."""

import pytest
from sqlalchemy import func, select

from tests.factories import login, make_user, post
from wellness.accounts.models import Role, User
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
    ).get_data(as_text=True)
    assert "<script>alert" not in body
    body = post(client, "/receipt", {"code": XSS[:40]}, token_from="/receipt").get_data(
        as_text=True
    )
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
    )
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
