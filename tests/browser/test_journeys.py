"""The product's journeys in a real browser, at a desktop and at a phone viewport.

Every page a journey lands on is checked by axe-core (no serious or critical violation) and
photographed; the browser console must stay free of errors (a CSP violation is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_unit, make_user, reader, totp_code
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.cases.models import Case
from wellness.checkins import service as checkins
from wellness.extensions import db
from wellness.jobs import run_named
from wellness.notifications.models import Notification
from wellness.referrals import service as referrals
from wellness.referrals.service import SelfReferral
from wellness.timeutil import utcnow

pytestmark = pytest.mark.browser

SECRET_WORDS = "I have not slept since the crash on Route 9"


@dataclass(frozen=True)
class Person:
    id: int
    username: str


def sign_in(j, user: Person, app, here: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the form: at /login, or (``here``) on the sign-in page already open."""
    if not here:
        j.goto("/login")
    j.page.fill("#username", user.username)
    j.page.fill("#password", PASSWORD)
    j.submit("Sign in")
    if "/login/verify" in j.page.url:
        with app.app_context():
            code = totp_code(db.session.get(User, user.id))
        j.page.fill("#code", code)
        j.submit()
    assert "/login" not in j.page.url, j.page.url


def holder_of_the_case(app, people: dict[str, Person]) -> Person:  # type: ignore[no-untyped-def]
    """The counselor routing chose (both are free, so either may be it)."""
    with app.app_context():
        assignee = db.session.scalars(select(Case.assignee_id)).one()
    return next(p for p in people.values() if p.id == assignee)


@pytest.fixture
def team(live_app):  # type: ignore[no-untyped-def]
    app, _ = live_app
    with app.app_context():
        north = make_unit("North")
        people = {
            "officer": make_user("jordan", Role.OFFICER, unit=north),
            "supervisor": make_user("sgt", Role.OFFICER, Role.SUPERVISOR),
            "counselor": make_user("kelly", Role.COUNSELOR),
            "second": make_user("luis", Role.COUNSELOR),
            "coordinator": make_user("maria", Role.COORDINATOR),
        }
        north.supervisor_id = people["supervisor"].id
        db.session.commit()
        people = {k: Person(u.id, u.username) for k, u in people.items()}
    return app, people


def test_anonymous_request_reply_and_receipt(journey, team):
    app, people = team
    officer = journey("officer")
    officer.goto("/")
    officer.page.get_by_role("link", name="ask anonymously").click()
    officer.check()
    officer.page.check("input[name=urgency][value=routine]")
    officer.page.fill("#text", SECRET_WORDS)
    officer.submit("Send anonymously")
    assert "Your request was sent" in officer.page.content()
    code = officer.page.locator(".receipt-code code").inner_text().strip()
    assert len(code.replace("-", "")) >= 16
    assert code not in officer.page.url

    counselor = journey("counselor")
    sign_in(counselor, holder_of_the_case(app, people), app)
    counselor.goto("/cases/")
    counselor.page.locator("section a").filter(has_text="#").first.click()
    counselor.check()
    assert SECRET_WORDS in counselor.page.content()
    counselor.page.fill("#body", "Thank you for writing. I can meet you off-site on Tuesday.")
    counselor.submit("Send message")
    assert "off-site on Tuesday" in counselor.page.content()

    officer.goto("/receipt")
    officer.page.fill("#code", code)
    officer.submit("Open")
    page = officer.page.content()
    assert "off-site on Tuesday" in page
    assert SECRET_WORDS in page
    assert code not in officer.page.url
    officer.page.fill("#body", "Tuesday works.")
    officer.submit("Send message")
    assert "Tuesday works." in officer.page.content()


def test_supervisor_concern_reaches_a_counselor(journey, team):
    app, people = team
    supervisor = journey("supervisor")
    sign_in(supervisor, people["supervisor"], app)
    supervisor.goto("/help/report")
    supervisor.page.fill("#colleague", "jordan")
    supervisor.page.fill("#text", "Withdrawn since the incident on Friday")
    supervisor.page.check("input[name=urgency][value=routine]")
    supervisor.submit()
    page = supervisor.page.content()
    assert "it was received" in page
    assert "Withdrawn since" not in page

    counselor = journey("counselor")
    holder = holder_of_the_case(app, people)
    assert holder in (people["counselor"], people["second"])
    sign_in(counselor, holder, app)
    counselor.goto("/cases/")
    counselor.page.locator("section a").filter(has_text="#").first.click()
    counselor.check()
    assert "Withdrawn since the incident on Friday" in counselor.page.content()


def test_due_check_in_is_answered_by_the_officer(journey, team):
    app, people = team
    with app.app_context():
        officer_user = db.session.get(User, people["officer"].id)
        referrals.submit_self_referral(
            SelfReferral([], "Rough month", "routine"), reader(officer_user, as_owner=True)
        )
        case = db.session.scalars(select(Case)).one()
        holder = db.session.get(User, case.assignee_id)
        checkins.schedule(case.id, reader(holder), [utcnow() + timedelta(minutes=1)])
        sent = run_named("dispatch", utcnow() + timedelta(minutes=2))
        assert sent["dispatched"] == 1
        case_id = case.id

    officer = journey("officer")
    sign_in(officer, people["officer"], app)
    officer.goto("/me/check-ins")
    officer.page.locator("form.checkin-card label", has_text="4").first.click()
    officer.page.locator("form.checkin-card textarea").fill("Better, sleeping again")
    officer.submit("Send my answer")

    counselor = journey("counselor")
    sign_in(counselor, holder_of_the_case(app, people), app)
    counselor.goto(f"/cases/{case_id}")
    page = counselor.page.content()
    assert "4/5" in page
    assert "Better, sleeping again" in page


def test_coordinator_reassigns_a_waiting_case(journey, team):
    app, people = team
    with app.app_context():
        for name in ("counselor", "second"):
            user = db.session.get(User, people[name].id)
            user.counselor.available = False
        db.session.commit()
        officer_user = db.session.get(User, people["officer"].id)
        referrals.submit_self_referral(
            SelfReferral([], "Nobody free", "routine"), reader(officer_user, as_owner=True)
        )
        case = db.session.scalars(select(Case)).one()
        assert case.assignee_id is None
        user = db.session.get(User, people["second"].id)
        user.counselor.available = True
        db.session.commit()
        case_id = case.id

    coordinator = journey("coordinator")
    sign_in(coordinator, people["coordinator"], app)
    coordinator.goto("/coordinator/queue")
    card = coordinator.page.locator("li.card", has_text=f"#{case_id}")
    card.locator("select").select_option(value=str(people["second"].id))
    with coordinator.page.expect_navigation():
        card.locator("button[type=submit]").click()
    coordinator.check()

    counselor = journey("second")
    sign_in(counselor, people["second"], app)
    counselor.goto(f"/cases/{case_id}")
    assert "Nobody free" in counselor.page.content()


def test_crisis_path_shows_numbers_first(journey, team):
    app, people = team
    officer = journey("officer")
    officer.goto("/help/")
    officer.page.get_by_role("link", name="I need help right now").click()
    officer.check()
    assert "Text 988" in officer.page.locator("main .crisis-panel").inner_text()
    officer.goto("/help/anonymous")
    officer.page.check("input[name=urgency][value=crisis]")
    officer.page.fill("#text", "I am not safe tonight")
    officer.submit("Send anonymously")
    page = officer.page.content()
    # The crisis panel (not just the banner every page carries) comes before the receipt.
    assert officer.page.locator("main .crisis-panel").count() == 1
    assert page.index('class="crisis-panel"') < page.index("Your request was sent")
    assert "Text 988" in officer.page.locator("main .crisis-panel").inner_text()


def test_crisis_with_nobody_available_says_so_and_the_limits_come_first(journey, team):
    """Every counselor away: the officer is told plainly nobody could be assigned at once,
    with 911/988; before writing, the form told them the limits, and /privacy explains."""
    app, people = team
    with app.app_context():
        for key in ("counselor", "second"):
            accounts.save_counselor_profile(
                db.session.get(User, people[key].id), available=False, on_call=False
            )
    officer = journey("officer")
    officer.goto("/help/anonymous")
    limits = officer.page.locator("aside.limits")
    assert "a court orders it" in limits.inner_text()
    limits.get_by_role("link", name="Read more about privacy").click()
    officer.check()
    assert "How it is kept private" in officer.page.content()
    officer.goto("/help/anonymous")
    officer.page.check("input[name=urgency][value=crisis]")
    officer.page.fill("#text", "I am not safe tonight")
    officer.submit("Send anonymously")
    main = officer.page.locator("main").inner_text()
    assert "Nobody could be paged at once" in main
    assert "The team cannot reach you" in main
    assert "Phone number or e-mail to reach you" in main  # and a way to give one
    assert "Text 988" in officer.page.locator("main .crisis-panel").inner_text()
    with app.app_context():
        told = set(db.session.scalars(select(Notification.kind)))
    assert "crisis_unrouted" in told
