"""Property-based fuzzing: no form, fed anything a person can type or tamper with, gives a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import leakcheck
from tests.factories import csrf_token, login, make_user, reader
from wellness.accounts.models import Role
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.referrals import service as referrals
from wellness.referrals.service import SelfReferral

TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "null",
            "2026-13-45T25:61",
            "routine",
            "crisis",
            "peer",
            "\x00",
            "é" * 300,
            "<script>",
            "' OR 1=1 --",
            "%00",
            "phq9",
            "3,3,3",
        ]
    ),
)

# (role, path, fields); {case} is replaced by a case routed to the counselor.
FORMS = [
    ("anonymous", "/login", ["username", "password"]),
    (
        "anonymous",
        "/help/anonymous",
        [
            "urgency",
            "topics",
            "text",
            "supporter_type",
            "language",
            "unit",
            "contact_details",
            "screener",
            "screener_answers",
            "start",
        ],
    ),
    ("anonymous", "/receipt", ["code"]),
    ("anonymous", "/receipt/message", ["code", "body"]),
    ("anonymous", "/receipt/check-in", ["code", "checkin", "rating", "wants_contact", "text"]),
    ("anonymous", "/screeners/phq9", [f"q{i}" for i in range(9)]),
    (
        "officer",
        "/help/self",
        [
            "urgency",
            "topics",
            "text",
            "supporter_type",
            "language",
            "contact_method",
            "contact_details",
            "contact_time",
        ],
    ),
    (
        "officer",
        "/help/concern",
        ["colleague", "behaviours", "critical_incident", "text", "urgency"],
    ),
    ("officer", "/account/password", ["current", "new", "confirm"]),
    ("officer", "/me/check-ins", ["checkin", "rating", "wants_contact", "text"]),
    ("counselor", "/cases/{case}/note", ["body"]),
    ("counselor", "/cases/{case}/check-ins", ["due_at"]),
    ("counselor", "/cases/{case}/plan", ["template", "start"]),
    ("counselor", "/cases/{case}/close", ["outcome", "resource", "note"]),
    ("counselor", "/cases/{case}/transfer", ["to"]),
    ("coordinator", "/coordinator/incidents", ["kind", "occurred_on", "members", "plan"]),
    ("coordinator", "/coordinator/plans", ["name", "offsets"]),
    ("coordinator", "/coordinator/resources", ["name", "kind", "contact", "notes", "active"]),
    ("coordinator", "/coordinator/crisis-numbers", ["on_call_label", "on_call_phone", "note"]),
    ("coordinator", "/coordinator/restore-access", ["username", "code"]),
    ("coordinator", "/coordinator/cases/{case}/reassign", ["to", "recovery_code"]),
    ("admin", "/admin/users/new", ["username", "display_name", "unit", "roles", "email"]),
    ("admin", "/admin/units/new", ["name", "parent", "supervisor"]),
]


@pytest.fixture
def clients(app, ctx, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("one backend is enough for fuzzing")
    people = {
        role: make_user(role, *roles)
        for role, roles in {
            "officer": (Role.OFFICER,),
            "counselor": (Role.COUNSELOR,),
            "coordinator": (Role.COORDINATOR,),
            "admin": (Role.ADMIN,),
        }.items()
    }
    referrals.submit_self_referral(
        SelfReferral([], "text", "routine"), reader(people["officer"], as_owner=True)
    )
    case = db.session.scalars(select(Case)).one()
    out = {"anonymous": app.test_client()}
    for role, user in people.items():
        out[role] = app.test_client()
        login(out[role], user)
    return out, case.id


@pytest.mark.parametrize(("role", "path", "fields"), FORMS, ids=[f[1] for f in FORMS])
def test_no_form_input_gives_a_server_error(app, clients, role, path, fields):
    clients_by_role, case_id = clients
    client = clients_by_role[role]
    url = path.format(case=case_id)
    token = csrf_token(client, "/receipt")

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.fixed_dictionaries({}, optional={f: TEXT for f in fields}))
    def fuzz(data):
        response = client.post(
            url, data={"csrf_token": token, **data}, headers={leakcheck.FUZZ_HEADER: "1"}
        )
        assert response.status_code < 500, (url, data)

    fuzz()
