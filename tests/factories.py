"""Builders for whole scenarios: units, people with roles, signed-in clients."""

from __future__ import annotations

import re
from datetime import datetime

import pyotp
from flask.testing import FlaskClient

from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.agency import service as agency
from wellness.agency.models import Unit
from wellness.extensions import db
from wellness.timeutil import utcnow

PASSWORD = "correct horse battery"
_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def make_unit(name: str, parent: Unit | None = None, supervisor: User | None = None) -> Unit:
    return agency.save_unit(
        None, name, parent.id if parent else None, supervisor.id if supervisor else None
    )


def make_user(
    username: str,
    *roles: Role,
    unit: Unit | None = None,
    totp_secret: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A user; staff get an authenticator unless ``totp_secret`` is given as ''."""
    user = accounts.create_user(
        username,
        username.title(),
        password,
        roles or (Role.OFFICER,),
        unit_id=unit.id if unit else None,
    )
    if totp_secret is None and user.is_staff:
        totp_secret = pyotp.random_base32()
    if totp_secret:
        accounts.set_totp_secret(user, totp_secret)
        db.session.commit()
    return user


def totp_code(user: User, at: datetime | None = None) -> str:
    return pyotp.TOTP(accounts.totp_secret(user)).at(at or utcnow())


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post(
    client: FlaskClient, path: str, data: dict | None = None, token_from: str = "/login", **kwargs
):  # type: ignore[no-untyped-def]
    """POST with a valid CSRF token taken from a page of the same session."""
    data = {"csrf_token": csrf_token(client, token_from), **(data or {})}
    return client.post(path, data=data, **kwargs)


def login(client: FlaskClient, user: User, password: str = PASSWORD, code: str | None = None):  # type: ignore[no-untyped-def]
    """Sign in through the real forms, with the TOTP step when the account has one."""
    response = post(client, "/login", {"username": user.username, "password": password})
    if user.totp_enrolled:
        assert response.headers["Location"].endswith("/login/verify")
        response = post(
            client, "/login/verify", {"code": code or totp_code(user)}, token_from="/login/verify"
        )
    return response


def reader(user: User, password: str = PASSWORD, as_owner: bool = False):  # type: ignore[no-untyped-def]
    """The person with their private key unlocked, as a signed-in request would have it."""
    from wellness.cases.service import Reader
    from wellness.keys import service as keys

    return Reader(user, keys.unlock(user, password), as_owner)


def _person(user: User, name: str) -> dict[str, object]:
    return {"user_id": user.id, "name": name, "username": user.username}


def make_case(owner: User, counselor: User, marker: str = "MARKER", **content):  # type: ignore[no-untyped-def]
    """A self-referral by ``owner`` shared with ``counselor``, with markers in every field.

    People have the shape the referral services store (``user_id``, ``name``, ``username``,
    and the unit for whom it is about), the owner being both its subject and its reporter, so
    the conflict rules read them as they read a real request; the markers are in the names."""
    from wellness.cases import service as cases

    unit = owner.unit.name if owner.unit else None
    body = {
        "type": "self_referral",
        "named": True,
        "who": _person(owner, owner.display_name) | {"unit": unit},
        "text": f"{marker}-TEXT I have not slept properly since the incident",
        "subject": _person(owner, f"{marker}-SUBJECT {owner.display_name}") | {"unit": unit},
        "reporter": _person(owner, f"{marker}-REPORTER {owner.display_name}"),
        "topics": ["sleep", "critical incident"],
        **content,
    }
    case = cases.create_case(
        "self_referral", "soon", body, reader(owner, as_owner=True), [counselor]
    )
    db.session.commit()  # (create_case works inside a use case's transaction)
    return case


def self_referral(officer: User | None, urgency: str = "routine", text: str = "MARKER-TEXT"):  # type: ignore[no-untyped-def]
    """A self-referral through the real service (named, or anonymous when ``officer`` is None).

    Returns (case, receipt code or None)."""
    from wellness.cases.models import Case
    from wellness.referrals import service as referrals
    from wellness.referrals.service import SelfReferral

    referral = SelfReferral(["stress"], text, urgency)
    if officer is None:
        result = referrals.submit_anonymous_referral(referral)
    else:
        result = referrals.submit_self_referral(referral, reader(officer, as_owner=True))
    return db.session.get(Case, result.case_id), result.receipt_code
