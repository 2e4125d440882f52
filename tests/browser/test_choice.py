"""The officer chooses (issue 17), in a real browser, at desktop and phone size: from the peer
team to a person, an anonymous request to them, their reply read with the receipt; a pick that
cannot be honoured; the library and resources with JavaScript off; the app's manifest; the
crisis page opening with no network after a first visit. Every page is checked by axe-core
(and at phone size for sideways scrolling and tap targets) by the journey fixture."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from tests.browser.test_journeys import SECRET_WORDS, Person, sign_in
from tests.factories import make_unit, make_user
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.cases.models import Case
from wellness.directory import service as directory
from wellness.extensions import db
from wellness.library import service as library
from wellness.program.models import Resource

pytestmark = pytest.mark.browser


@pytest.fixture
def team(live_app):  # type: ignore[no-untyped-def]
    app, _ = live_app
    with app.app_context():
        north = make_unit("North")
        people = {
            "officer": make_user("jordan", Role.OFFICER, unit=north),
            "kelly": make_user("kelly", Role.COUNSELOR),
            "luis": make_user("luis", Role.COUNSELOR),
        }
        for name, shown in (("kelly", "Kelly G."), ("luis", "Luis O.")):
            accounts.save_counselor_profile(people[name], caseload_cap=5)
            background = f"{shown} has been on patrol for years."
            directory.save_profile(
                people[name], directory.ProfileFields(True, shown, background, ["members"])
            )
        db.session.add(
            Resource(name="City EAP", kind="EAP", public=True, phone="555 0100", topics=[])
        )
        library.seed()
        db.session.commit()
        people = {k: Person(u.id, u.username) for k, u in people.items()}
    return app, people


def test_from_the_peer_team_to_the_person_asked_for_and_back_with_the_receipt(journey, team):
    app, people = team
    officer = journey("officer")
    officer.goto("/help/")
    officer.page.get_by_role("link", name="Our peer team").click()
    officer.check()
    assert "Luis O. has been on patrol" in officer.page.content()
    officer.submit("Ask Luis O. anonymously")
    assert "ask_for" not in officer.page.url
    assert officer.page.locator("#ask_for").input_value() == str(people["luis"].id)
    officer.page.check("input[name=urgency][value=routine]")
    officer.page.fill("#text", SECRET_WORDS)
    officer.submit("Send anonymously")
    code = officer.page.locator(".receipt-code code").inner_text().strip()
    with app.app_context():
        assert db.session.scalar(select(Case.assignee_id)) == people["luis"].id

    luis = journey("luis")
    sign_in(luis, people["luis"], app)
    luis.page.locator("section a").filter(has_text="#").first.click()
    luis.check()
    assert SECRET_WORDS in luis.page.content()
    luis.page.fill("#body", "You asked for me: I am here. Coffee on Thursday?")
    luis.submit("Send message")

    officer.goto("/receipt")
    officer.page.fill("#code", code)
    officer.submit("Open")
    assert "Coffee on Thursday?" in officer.page.content()


def test_a_pick_that_cannot_be_honoured_asks_again_and_sends_nothing_until_then(journey, team):
    app, people = team
    officer = journey("officer")
    officer.goto("/peer-team")
    officer.submit("Ask Kelly G. anonymously")
    with app.app_context():  # Kelly goes off duty while the form is open
        accounts.save_counselor_profile(db.session.get(User, people["kelly"].id), available=False)
        db.session.commit()
    officer.page.fill("#text", SECRET_WORDS)
    officer.submit("Send anonymously")
    page = officer.page.content()
    assert "Kelly G. cannot take a new request right now. Nothing has been sent." in page
    assert officer.page.input_value("#text") == SECRET_WORDS  # nothing lost
    with app.app_context():
        assert db.session.scalar(select(Case.id)) is None
    officer.page.select_option("#ask_for", "0")  # let the team choose
    officer.submit("Send anonymously")
    assert "Your request was sent" in officer.page.content()
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        assert case.assignee_id == people["luis"].id, case.routing_summary


def test_the_library_and_resources_work_with_javascript_off(journey, team):
    reader = journey("reader", javascript=False)
    reader.goto("/library/")
    reader.page.locator(".card h2 a", has_text="Sleep and shift work").click()
    reader.check()
    assert "Protect the sleep you can get" in reader.page.content()
    reader.goto("/resources")
    assert reader.page.locator('a[href="tel:5550100"]').count() == 1
    reader.page.get_by_role("link", name="In crisis now").click()
    reader.check()
    assert reader.page.locator('a[href="sms:988"]').count() >= 1


def test_every_new_page_is_accessible_and_fits_a_phone(journey, team):
    """axe-core, no sideways scrolling and 44 px targets (the journey fixture) on every page
    this issue adds, for the visitor, the counselor and the coordinator."""
    app, people = team
    visitor = journey("visitor")
    for path in (
        "/peer-team",
        "/resources",
        "/resources?topic=crisis",
        "/library/",
        "/library/how-peer-support-works",
        "/help/anonymous",
    ):
        visitor.goto(path)
    kelly = journey("kelly")
    sign_in(kelly, people["kelly"], app)
    kelly.goto("/account/profile")
    kelly.goto("/help/self")
    with app.app_context():
        maria = make_user("maria", Role.COORDINATOR)
        db.session.commit()
        maria = Person(maria.id, maria.username)
    coordinator = journey("coordinator")
    sign_in(coordinator, maria, app)
    coordinator.goto("/coordinator/library/")
    coordinator.goto("/coordinator/team/")
    coordinator.goto("/coordinator/resources")


def test_the_app_installs_its_manifest_is_valid_and_its_icons_are_real(journey, team):
    visitor = journey("visitor")
    visitor.goto("/")
    href = visitor.page.locator('link[rel="manifest"]').get_attribute("href")
    response = visitor.page.request.get(href)
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/help/"
    assert {"name", "short_name", "icons", "theme_color", "background_color"} <= set(manifest)
    sizes = set()
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(visitor.page.request.get(icon["src"]).body()))
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.size == (width, height)
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(i.get("purpose") == "maskable" for i in manifest["icons"])


def test_the_crisis_page_opens_with_no_network_after_a_first_visit(journey, team, viewport):
    visitor = journey("visitor")
    visitor.goto("/crisis")
    visitor.page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    visitor.page.reload()  # now controlled by the service worker
    visitor.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    visitor.context.set_offline(True)
    try:
        visitor.page.goto("/crisis")
        assert 'href="tel:988"' in visitor.page.content()
        assert 'href="sms:988"' in visitor.page.content()
        visitor.page.goto("/help/anonymous")  # anything else, offline: the crisis numbers
        assert 'href="tel:988"' in visitor.page.content()
        assert "Your request was sent" not in visitor.page.content()
    finally:
        visitor.context.set_offline(False)
