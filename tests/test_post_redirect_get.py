"""Post/redirect/get, over every form of every page (issue 16): each role opens every page the
authorization table gives it, fills in every form as a person would and sends it. Whatever a
POST changes, it answers with a redirect; loading the page it leads to twice (a reload) changes
nothing; and sending the very same form again (Back, then send) stores nothing twice.

The pages come from the app's URL map through tests/test_authorization.py's table, so a new
page, or a new form on one, is walked without anyone remembering to add it here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from tests.factories import PASSWORD
from tests.htmlforms import Form, forms_on
from tests.test_authorization import GET, ROLES, authorization_world, client_for, url_for_rule
from wellness.extensions import db
from wellness.timeutil import utcnow

# Tables a read may write to (the access log, the session's idle clock, what a page holds for
# one display, used form tokens) or a sign-in (the key inbox): not what a form changes.
READ_SIDE = {
    "access_log",
    "audit_head",
    "login_sessions",
    "held_pages",
    "used_tokens",
    "index_inbox",
}
# Done last on each page: after them the page's other forms have nothing left to act on.
LAST = ("/close", "/withdraw", "/transfer", "/decline", "/reset-password", "/reset-authenticator")
NEVER = ("/logout",)  # would end the walk's session


def fingerprint() -> dict[str, str]:
    """Per table, a hash of every row (the read side left out)."""
    out = {}
    with db.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in READ_SIDE or table == "alembic_version":
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            out[table] = digest
    return out


def counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
            for table in inspect(conn).get_table_names()
            if table not in READ_SIDE
        }


# Fields a generic value would not pass: a colleague who exists, a username that may be taken.
TYPED = {"colleague": "jordan", "username": "new.person", "display_name": "New Person"}
UNTICKED = {"outside_unit", "remove"}  # boxes that ask for more than a person ticking them gives


def filled(form: Form) -> dict[str, object]:
    """Every control filled in as a person would: choices take their first real option."""
    tomorrow = utcnow() + timedelta(days=1)
    data: dict[str, object] = {}
    for control in form.controls:
        name, kind = control.name, control.kind
        if kind in ("submit", "button", "image", "reset", "file"):
            continue
        if name in UNTICKED:
            continue
        if name in TYPED and not control.value:
            data[name] = TYPED[name]
            continue
        if kind == "radio":
            data.setdefault(name, control.value)
        elif kind == "checkbox":
            data.setdefault(name, []).append(control.value or "y")  # type: ignore[union-attr]
        elif kind == "select":
            options = [o for o in control.options if o not in ("", "__None")]
            if options:
                data[name] = options[0]
        elif kind == "hidden" or control.value:
            data[name] = control.value
        elif kind == "datetime-local":
            data[name] = tomorrow.strftime("%Y-%m-%dT10:00")
        elif kind == "date":
            data[name] = tomorrow.strftime("%Y-%m-%d")
        elif kind == "time":
            data[name] = "10:00"
        elif kind == "number":
            data[name] = "3"
        elif kind == "email":
            data[name] = "someone@example.org"
        elif kind == "password":
            data[name] = (
                PASSWORD if name in ("password", "current") else "a-long new pass phrase 42"
            )
        else:
            data[name] = "Words a person typed"
    return data


def pages_for(app, role: str, ids: dict[str, object]) -> list[str]:  # type: ignore[no-untyped-def]
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in GET and GET[rule.endpoint][role] == 200 and "GET" in rule.methods:
            urls.append(url_for_rule(rule, ids))
    return sorted(set(urls))


def ordered(forms: list[Form]) -> list[Form]:
    posts = [f for f in forms if f.method == "post" and not f.action.endswith(NEVER)]
    return sorted(posts, key=lambda f: f.action.endswith(LAST))


@pytest.mark.parametrize("role", ROLES)
def test_every_form_that_changes_something_redirects_and_is_safe_to_reload_and_resend(
    app, ctx, role
):
    people, case = authorization_world()
    from sqlalchemy import select

    from wellness.agency.models import Unit

    ids = {
        "case_id": case.id,
        "user_id": people["officer"].id,
        "unit_id": db.session.scalars(select(Unit.id)).first(),
        "key": "phq9",
        "filename": "style.css",
        **people["ids"],
    }
    client = client_for(app, people, role)
    walked, changed = 0, []
    for url in pages_for(app, role, ids):
        page = client.get(url)
        if page.status_code != 200 or not page.content_type.startswith("text/html"):
            continue
        for form in ordered(forms_on(page.get_data(as_text=True))):
            target = form.action or url
            data = filled(form)
            before = fingerprint()
            db.session.remove()
            response = client.post(target, data=data)
            walked += 1
            after = fingerprint()
            if after == before:
                continue
            what = f"POST {target} (from {url}) as {role}"
            changed.append(what)
            assert response.status_code in (302, 303), (
                f"{what} changed data and answered {response.status_code}"
            )
            location = response.headers["Location"]
            assert not re.search(r"[?&](code|receipt|password)=", location), location
            client.get(location)
            settled = fingerprint()
            again = client.get(location)  # a reload of the result page
            assert again.status_code in (200, 302, 404), what
            assert fingerprint() == settled, f"reloading after {what} changed data"
            client.post(target, data=data)  # Back, then the same form sent again
            assert fingerprint() == settled, f"sending {what} twice changed data again"
    assert walked, f"no form was walked as {role}"
    if role != "anonymous":
        assert changed, f"no form changed anything as {role}"
