"""Training (issue 18) in a real browser, at desktop and phone size, every page checked by
axe-core (and at phone size for sideways scrolling and tap targets) by the journey fixture: a
member signs in, acknowledges the new policy version, answers today's bulletin, and follows
its link to an anonymous request; a supervisor sees their unit's completion and who has not
acknowledged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.test_journeys import SECRET_WORDS, Person, sign_in
from tests.factories import make_unit, make_user
from wellness.accounts.models import Role
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.training import service as training
from wellness.training.models import BulletinAnswer, PolicyAcknowledgment

pytestmark = pytest.mark.browser


@pytest.fixture
def agency(live_app):  # type: ignore[no-untyped-def]
    app, _ = live_app
    with app.app_context():
        sgt = make_user("sgt", Role.OFFICER, Role.SUPERVISOR)
        patrol = make_unit("Patrol", supervisor=sgt)
        people = {
            "sgt": sgt,
            "jordan": make_user("jordan", Role.OFFICER, unit=patrol),
            "sam": make_user("sam", Role.OFFICER, unit=patrol),
            "kelly": make_user("kelly", Role.COUNSELOR),
        }
        sgt.unit_id = patrol.id
        training.seed(training.today())
        training.queued()[0].published_on = training.today()  # "Backup on a disturbance call"
        db.session.commit()
        people = {k: Person(u.id, u.username) for k, u in people.items()}
    return app, people


def test_a_member_acknowledges_answers_and_asks_for_help_anonymously(journey, agency):
    app, people = agency
    member = journey("jordan")
    sign_in(member, people["jordan"], app)
    assert "/training/acknowledge" in member.page.url  # the one page a new version adds
    member.submit("I have read and understand version 1")
    assert "/training/acknowledge" not in member.page.url
    assert "acknowledged version 1" in member.page.content()
    member.page.get_by_role("link", name="Training new").click()
    member.check()
    member.page.get_by_role("link", name="Backup on a disturbance call").click()
    member.check()
    member.page.get_by_label("Go in: waiting looks hesitant").check()  # not the policy's answer
    member.submit("Answer")
    text = member.page.content()
    assert "The policy's answer is a different one" in text
    assert "Requesting backup early" in text  # why, and no penalty
    member.page.get_by_role("link", name="Ask the peer team anonymously").click()
    member.check()
    assert member.page.url.endswith("/help/anonymous")  # nothing added to the address
    member.page.check("input[name=urgency][value=routine]")
    member.page.fill("#text", SECRET_WORDS)
    member.submit("Send anonymously")
    assert member.page.locator(".receipt-code code").count() == 1
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        assert case.assignee_id == people["kelly"].id
        answers = [tuple(r) for r in db.session.execute(select(BulletinAnswer.__table__))]
        assert answers == [(people["jordan"].id, 1, training.today())]  # that they answered
        assert db.session.scalar(select(PolicyAcknowledgment.user_id)) == people["jordan"].id

    # Without JavaScript, the same: a phone with scripts off answers in the same few taps.
    other = journey("sam", javascript=False)
    sign_in(other, people["sam"], app)
    other.page.get_by_role("link", name="Not now: go on").click()
    other.goto("/training/bulletins/1")
    other.page.get_by_label("Ask for backup to be expedited", exact=False).check()
    other.submit("Answer")
    assert "That is the policy's answer" in other.page.content()


def test_a_supervisor_sees_who_has_not_acknowledged_and_their_units_completion(journey, agency):
    app, people = agency
    with app.app_context():
        version = training.current_policy()
        training.acknowledge(people["sam"].id, version, training.today())
        training.answer(
            people["sam"].id, training.published_bulletin(1, training.today()), training.today()
        )
    supervisor = journey("sgt")
    sign_in(supervisor, people["sgt"], app)
    supervisor.page.get_by_role("link", name="Not now: go on").click()
    supervisor.check()
    supervisor.goto("/training/")
    supervisor.page.get_by_role("link", name="Completion").click()
    supervisor.check()
    waiting = supervisor.page.locator("ul.summary").inner_text()
    assert "Jordan" in waiting
    assert "Sgt" in waiting
    assert "Sam" not in waiting
    table = supervisor.page.locator("table").inner_text()
    assert "Kelly" not in table  # not in their units
    row = supervisor.page.locator("tr", has_text="Sam").inner_text()
    assert "1 of 1" in row
    assert supervisor.page.get_by_role("link", name="Download as CSV").count() == 1
