"""Every route x every role, from the app's URL map: a new route cannot be forgotten.

L = sent to sign in (302 to /login). A number is the status expected. The case used for
``case_id`` is a self-referral by ``officer``, routed to ``counselor``.
"""

import re

import pytest
from sqlalchemy import select

from tests.factories import csrf_token, login, make_unit, make_user
from wellness.accounts.models import Role, RoleGrant
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.referrals import service as referrals
from wellness.referrals.service import SelfReferral

ROLES = [
    "anonymous",
    "officer",
    "supervisor",
    "counselor",
    "other_counselor",
    "coordinator",
    "admin",
]
L = "L"
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": L} | dict.fromkeys(ROLES[1:], 200)
ADMIN_ONLY = {"anonymous": L} | dict.fromkeys(ROLES[1:], 403) | {"admin": 200}
COORDINATOR_ONLY = {"anonymous": L} | dict.fromkeys(ROLES[1:], 403) | {"coordinator": 200}
# Supervisors (of their units; "sgt" supervises none and is told so), coordinators and admins.
TRAINING_REPORT = {"anonymous": L} | dict.fromkeys(ROLES[1:], 403)
TRAINING_REPORT |= {"supervisor": 200, "coordinator": 200, "admin": 200}
TRAINING_MANAGERS = COORDINATOR_ONLY | {"admin": 200}
CASE_STAFF = {"anonymous": L, "officer": 403, "supervisor": 403, "admin": 403}

GET = {
    "main.home": PUBLIC,
    "main.health": PUBLIC,
    "main.ready": PUBLIC,
    "main.privacy": PUBLIC,
    "auth.login": {"anonymous": 200} | dict.fromkeys(ROLES[1:], 302),
    "auth.verify": dict.fromkeys(ROLES, L),
    "auth.enrol": dict.fromkeys(ROLES, L),
    "auth.account": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.alive": {"anonymous": L} | dict.fromkeys(ROLES[1:], 204),
    "referrals.hub": PUBLIC,
    "referrals.crisis": PUBLIC,
    "referrals.anonymous_referral": PUBLIC,
    "referrals.screener_list": PUBLIC,
    "referrals.screener": PUBLIC,
    "referrals.receipt": PUBLIC,
    "referrals.sent": PUBLIC,  # nothing held: "it was sent", and nothing more
    "referrals.concern_sent": SIGNED_IN,
    "referrals.self_referral": SIGNED_IN,
    "referrals.concern": SIGNED_IN,
    "referrals.my_referrals": SIGNED_IN,
    "referrals.export": SIGNED_IN,
    "referrals.my_referral": {"anonymous": L} | dict.fromkeys(ROLES[1:], 404) | {"officer": 200},
    "referrals.supervisor_report": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 403)
    | {"supervisor": 200},
    "cases.my_cases": CASE_STAFF | {"counselor": 200, "other_counselor": 200, "coordinator": 200},
    "cases.case": CASE_STAFF | {"counselor": 200, "other_counselor": 404, "coordinator": 404},
    "program.queue": COORDINATOR_ONLY,
    "program.crisis_settings": COORDINATOR_ONLY,
    "program.privacy_text": COORDINATOR_ONLY,
    "team.team": COORDINATOR_ONLY,
    "team.profile": COORDINATOR_ONLY | {"coordinator": 404},  # the officer is no counselor
    "program.resources": COORDINATOR_ONLY,
    "program.plans": COORDINATOR_ONLY,
    "program.incidents": COORDINATOR_ONLY,
    "referrals.my_checkins": SIGNED_IN,
    "referrals.checkin_calendar": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 404)
    | {"officer": 200},
    "keys.restore_access": COORDINATOR_ONLY,
    "admin.users": ADMIN_ONLY,
    "admin.new_user": ADMIN_ONLY,
    "admin.edit_user": ADMIN_ONLY,
    "admin.units": ADMIN_ONLY,
    "admin.edit_unit": ADMIN_ONLY,
    "admin.audit_log": ADMIN_ONLY,
    "admin.password_shown": ADMIN_ONLY | {"admin": 302},  # nothing held: back to the list
    "statistics.coordinator": COORDINATOR_ONLY,
    "statistics.csv": COORDINATOR_ONLY | {"supervisor": 200},
    "statistics.command": COORDINATOR_ONLY | {"supervisor": 200},
    "main.manifest": PUBLIC,
    "main.service_worker": PUBLIC,
    "directory.team": PUBLIC,
    "directory.resources": PUBLIC,
    "directory.photo": dict.fromkeys(ROLES, 404),  # the officer publishes no profile
    "directory.profile": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 403)
    | {"counselor": 200, "other_counselor": 200},
    "library.index": PUBLIC,
    "library.article": PUBLIC,
    "library.edit": COORDINATOR_ONLY,
    "training.home": SIGNED_IN,
    "training.policy": SIGNED_IN,
    "training.policy_version": SIGNED_IN,
    "training.acknowledge": SIGNED_IN,  # the current version, not yet acknowledged
    "training.bulletin": SIGNED_IN,
    "training.team": TRAINING_REPORT,
    "training.team_csv": TRAINING_REPORT,
    "training_manage.policy": TRAINING_MANAGERS,
    "training_manage.bulletins": TRAINING_MANAGERS,
    "push.key": SIGNED_IN,
}

# POST-only routes: what each role gets for a POST with a valid CSRF token and no other fields.
POST = {
    "auth.logout": dict.fromkeys(ROLES, 302),
    "referrals.receipt_message": PUBLIC,  # the form again, with an error
    "referrals.my_referral_message": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 404)
    | {"officer": 200},
    "referrals.withdraw": {"anonymous": L} | dict.fromkeys(ROLES[1:], 302),
    "referrals.decline": {"anonymous": L} | dict.fromkeys(ROLES[1:], 404),
    "cases.message": CASE_STAFF | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.contacted": CASE_STAFF | {"counselor": 302, "other_counselor": 404, "coordinator": 404},
    "cases.accept": CASE_STAFF | {"counselor": 302, "other_counselor": 404, "coordinator": 404},
    "cases.note": CASE_STAFF | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.schedule_checkin": CASE_STAFF
    | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.schedule_plan": CASE_STAFF
    | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.transfer": CASE_STAFF | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.close": CASE_STAFF | {"counselor": 400, "other_counselor": 404, "coordinator": 404},
    "cases.availability": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 403)
    | {"counselor": 302, "other_counselor": 302},
    "program.reassign": COORDINATOR_ONLY | {"coordinator": 302},
    "team.set_availability": COORDINATOR_ONLY | {"coordinator": 404},  # not a counselor
    "team.approve": COORDINATOR_ONLY | {"coordinator": 302},  # no code typed: said so
    "team.refuse": COORDINATOR_ONLY | {"coordinator": 302},
    "team.confirm": COORDINATOR_ONLY | {"coordinator": 302},  # no code typed: said so
    "referrals.receipt_checkin": dict.fromkeys(ROLES, 302),  # back to the receipt page
    "referrals.reach_out": dict.fromkeys(ROLES, 302),  # sent, then its sent page
    "cases.notifications_read": CASE_STAFF
    | {"counselor": 302, "other_counselor": 302, "coordinator": 302},
    "admin.reset_password": ADMIN_ONLY | {"admin": 302},  # then shown once, after it
    "admin.reset_authenticator": ADMIN_ONLY | {"admin": 302},
    "directory.profile_photo": {"anonymous": L}
    | dict.fromkeys(ROLES[1:], 403)
    | {"counselor": 400, "other_counselor": 400},  # no photo chosen: said so
    "directory.hide": COORDINATOR_ONLY | {"coordinator": 302},
    "push.subscribe": {"anonymous": L} | dict.fromkeys(ROLES[1:], 400),  # no subscription sent
    "push.unsubscribe": {"anonymous": L} | dict.fromkeys(ROLES[1:], 400),
    "push.off_everywhere": {"anonymous": L} | dict.fromkeys(ROLES[1:], 302),
    "training_manage.move": TRAINING_MANAGERS | {"coordinator": 302, "admin": 302},
    "training_manage.remove": TRAINING_MANAGERS | {"coordinator": 302, "admin": 302},
}


@pytest.fixture
def world(app, ctx):
    return authorization_world()


def authorization_world():
    """The scenario of the matrix: one of each role, and a case the counselor holds."""
    unit = make_unit("North")
    people = {
        "officer": make_user("jordan", Role.OFFICER, unit=unit),
        "supervisor": make_user("sgt", Role.OFFICER, Role.SUPERVISOR),
        "counselor": make_user("kelly", Role.COUNSELOR),
        "other_counselor": make_user("luis", Role.COUNSELOR, unit=unit),
        "coordinator": make_user("maria", Role.COORDINATOR),
        "admin": make_user("itadmin", Role.ADMIN),
    }
    from tests.factories import reader

    referrals.submit_self_referral(
        SelfReferral([], "MARKER-TEXT", "routine"), reader(people["officer"], as_owner=True)
    )
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id == people["counselor"].id
    from datetime import timedelta

    from wellness.checkins import service as checkins
    from wellness.checkins.models import PlanTemplate
    from wellness.program.models import Resource
    from wellness.timeutil import utcnow

    checkin = checkins.schedule(
        case.id, reader(people["counselor"]), [utcnow() + timedelta(days=1)]
    )[0]
    db.session.add(Resource(name="EAP", kind="EAP"))
    db.session.add(PlanTemplate(name="Plan", offsets_hours="24"))
    from wellness.library.models import Article

    db.session.add(Article(slug="sleep", title="Sleep", topic="sleep", body="Rest."))
    from wellness.training import service as training

    training.seed(training.today())  # the policy (version 1) and the bulletins, all queued
    training.queued()[0].published_on = training.today()  # bulletin 1 published, 2 queued
    grant = RoleGrant(user_id=people["officer"].id, role=Role.COUNSELOR, outcome="refused")
    db.session.add(grant)
    db.session.commit()
    people["ids"] = {
        "checkin_id": checkin.id,
        "resource_id": 1,
        "plan_id": 1,
        "grant_id": grant.id,
        "article_id": 1,
        "slug": "sleep",
        "number": 1,
        "bulletin_id": 1,
        "queued_id": 2,
    }
    return people, case


def url_for_rule(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def client_for(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, people[role])
    return client


def outcome(response):
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return L
    return response.status_code


def test_every_route_is_in_the_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints == set(GET) | set(POST)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in POST:
            assert "GET" not in rule.methods, rule.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_says(app, world, role):
    people, case = world
    ids = {
        "case_id": case.id,
        "user_id": people["officer"].id,
        "unit_id": case.id,
        "key": "phq9",
        "filename": "style.css",
        **people["ids"],
    }
    from wellness.agency.models import Unit

    ids["unit_id"] = db.session.scalars(select(Unit.id)).first()
    client = client_for(app, people, role)
    token = csrf_token(client, "/receipt")
    wrong = []  # every mismatch at once, not just the first
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = url_for_rule(rule, ids)
        if rule.endpoint in GET:
            got = outcome(client.get(url))
            if got != GET[rule.endpoint][role]:
                wrong.append(f"GET {url} as {role}: {got}, not {GET[rule.endpoint][role]}")
        else:
            if rule.endpoint == "auth.logout":
                continue  # signing out would end the role's session for the rest of the loop
            got = outcome(client.post(url, data={"csrf_token": token}))
            if got != POST[rule.endpoint][role]:
                wrong.append(f"POST {url} as {role}: {got}, not {POST[rule.endpoint][role]}")
    assert not wrong
    if role != "anonymous":
        assert outcome(client.post("/logout", data={"csrf_token": token})) == L


@pytest.mark.parametrize("role", ["anonymous", "counselor"])
def test_every_form_route_refuses_a_missing_or_forged_csrf_token(app, world, role):
    people, case = world
    ids = {"case_id": case.id, "user_id": people["officer"].id, "unit_id": 1, "key": "phq9"}
    ids |= people["ids"]
    client = client_for(app, people, role)
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) >= 30
    for rule in posts:
        url = url_for_rule(rule, ids)
        assert client.post(url, data={"body": "x"}).status_code == 400, url
        assert client.post(url, data={"csrf_token": "forged"}).status_code == 400, url
    if role != "anonymous":
        assert client.get("/account").status_code == 200  # still signed in: nothing happened
