"""The member's side: acknowledging the policy at sign-in, reading every version, answering the
daily bulletin; and what coordinators and admins publish."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import login
from wellness.extensions import db
from wellness.training import rules
from wellness.training import service as training
from wellness.training.models import Bulletin, BulletinAnswer, PolicyAcknowledgment, PolicyVersion


def _form_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client, path="/login"):
    return client.post(
        path,
        data={
            "csrf_token": _form_token(client.get("/login").get_data(as_text=True)),
            "username": "jordan",
            "password": "correct horse battery",
        },
    )


def test_sign_in_asks_for_the_new_version_once_then_goes_to_their_start_page(app, agency, client):
    response = _sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/training/acknowledge?next=/me/referrals"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "I have read and understand version 1" in page
    # "Not now" comes before the policy's text: nobody scrolls through it to get past
    assert page.index('href="/me/referrals">Not now: go on') < page.index("Purpose")
    done = client.post(
        "/training/acknowledge",
        data={"csrf_token": _form_token(page), "version": 1, "next": "/me/referrals"},
    )
    assert done.headers["Location"] == "/me/referrals"
    with app.app_context():
        row = db.session.scalars(select(PolicyAcknowledgment)).one()
        assert row.acknowledged_on == training.today()  # the day, never a time
    client.post("/logout", data={"csrf_token": _form_token(page)})
    again = login(client, agency["jordan"])
    assert "/training/acknowledge" not in again.headers["Location"]


def test_someone_on_their_way_to_a_page_is_not_stopped_and_the_header_says_it_waits(
    app, agency, client
):
    client.get("/help/self")  # a page that needs signing in: sent to sign in, then back to it
    response = _sign_in(client, "/login?next=/help/self")
    assert response.headers["Location"] == "/help/self"
    page = client.get("/help/self").get_data(as_text=True)
    assert "something is waiting for you" in page.split("</header>")[0]
    with app.app_context():
        assert training.needs_acknowledgment(agency["jordan"].id)


def test_an_open_redirect_through_the_acknowledgment_page_is_refused(app, agency, client):
    _sign_in(client)
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        page = client.get("/training/acknowledge", query_string={"next": hostile})
        html = page.get_data(as_text=True)
        assert "evil.example" not in html
        assert "javascript:x" not in html


def test_not_now_goes_on_leaves_it_waiting_and_the_header_says_so(app, agency, client):
    gate = login(client, agency["jordan"]).headers["Location"]
    page = client.get(gate).get_data(as_text=True)
    onward = re.search(r'href="([^"]+)">Not now: go on', page).group(1)
    assert onward == "/me/referrals"
    start = client.get(onward)
    assert start.status_code == 200
    assert 'Training <span class="badge">new<span class="visually-hidden">' in start.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PolicyAcknowledgment)) == 0
    client.post("/logout", data={"csrf_token": _form_token(page)})
    assert "/training/acknowledge" in login(client, agency["jordan"]).headers["Location"]


def test_counselors_are_not_stopped_on_their_way_to_a_crisis(app, agency, client):
    response = login(client, agency["kelly"])
    assert "/training/acknowledge" not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "something is waiting for you" in page.split("</header>")[0]


def test_a_version_published_while_the_page_was_open_is_not_acknowledged_unread(
    app, agency, client
):
    login(client, agency["jordan"])
    page = client.get("/training/acknowledge").get_data(as_text=True)
    with app.app_context():
        training.publish_policy(
            rules.PolicyFields("Asking for help", "## New", "Section 5."), None, training.today()
        )
    response = client.post(
        "/training/acknowledge", data={"csrf_token": _form_token(page), "version": 1}
    )
    assert "/training/acknowledge" in response.headers["Location"]
    with app.app_context():
        acked = db.session.scalars(select(PolicyAcknowledgment.version_id)).all()
        assert acked == [
            db.session.scalar(select(PolicyVersion.id).where(PolicyVersion.number == 1))
        ]
        assert training.needs_acknowledgment(agency["jordan"].id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has changed" in page
    assert "Section 5." in page


def test_every_version_and_what_changed_stays_readable(app, agency, client):
    with app.app_context():
        training.publish_policy(
            rules.PolicyFields("Asking for help", "## Version two text", "Adds retirees."),
            None,
            training.today(),
        )
    login(client, agency["dana"])
    versions = client.get("/training/policy").get_data(as_text=True)
    assert "Version two text" in versions
    assert "Adds retirees." in versions
    assert 'href="/training/policy/1"' in versions
    assert 'href="/training/policy/2"' in versions
    first = client.get("/training/policy/1").get_data(as_text=True)
    assert "Purpose" in first
    assert "an earlier version" in first
    assert client.get("/training/policy/3").status_code == 404
    assert client.get("/training/policy/99999999999").status_code == 404


def test_a_coordinator_previews_then_publishes_a_version_once(app, agency, client):
    login(client, agency["maria"])
    page = client.get("/training/manage/policy").get_data(as_text=True)
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    typed = {
        "csrf_token": _form_token(page),
        "once": once,
        "title": "Asking for help",
        "changes": "Names the retirees' line.",
        "body": "## Purpose\n\nAsk.\n\n<script>x</script>",
    }
    preview = client.post("/training/manage/policy", data=typed | {"action": "preview"})
    assert preview.status_code == 200
    assert "As members will read it" in preview.get_data(as_text=True)
    assert "<script>" not in preview.get_data(as_text=True).split("As members will read it")[1]
    for _ in range(2):  # a double tap publishes one version
        assert (
            client.post("/training/manage/policy", data=typed | {"action": "publish"}).status_code
            == 302
        )
    with app.app_context():
        assert [v.number for v in training.policy_versions()] == [2, 1]
        assert training.current_policy().published_by == agency["maria"].id
    assert (
        client.post(
            "/training/manage/policy", data=typed | {"title": "", "action": "publish"}
        ).status_code
        == 200
    )


def test_an_officer_cannot_publish_or_manage(app, agency, client):
    login(client, agency["jordan"])
    for path in ("/training/manage/policy", "/training/manage/bulletins", "/training/team"):
        assert client.get(path).status_code == 403


def test_a_wrong_answer_shows_why_and_only_that_they_answered_is_kept(app, agency, client):
    with app.app_context():
        bulletin = db.session.scalar(select(Bulletin).where(Bulletin.published_on.is_not(None)))
        wrong = next(i for i in range(len(bulletin.answers)) if i != bulletin.correct)
        bid, why = bulletin.id, bulletin.why
    login(client, agency["jordan"])
    page = client.get(f"/training/bulletins/{bid}").get_data(as_text=True)
    assert why not in page
    assert 'type="radio"' in page
    response = client.post(
        f"/training/bulletins/{bid}", data={"csrf_token": _form_token(page), "choice": wrong}
    )
    assert response.headers["Location"] == f"/training/bulletins/{bid}"
    shown = client.get(f"/training/bulletins/{bid}").get_data(as_text=True)
    assert "The policy's answer is a different one" in shown
    assert why.replace("'", "&#39;") in shown
    reloaded = client.get(f"/training/bulletins/{bid}").get_data(as_text=True)
    assert "different one" not in reloaded
    assert why.replace("'", "&#39;") in reloaded
    with app.app_context():
        row = db.session.scalars(select(BulletinAnswer)).one()
        assert (row.user_id, row.bulletin_id, row.answered_on) == (
            agency["jordan"].id,
            bid,
            training.today(),
        )
        assert set(BulletinAnswer.__table__.columns.keys()) == {
            "user_id",
            "bulletin_id",
            "answered_on",
        }
    again = client.post(
        f"/training/bulletins/{bid}", data={"csrf_token": _form_token(page), "choice": 0}
    )
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulletinAnswer)) == 1


def test_the_right_answer_says_so(app, agency, client):
    with app.app_context():
        bulletin = db.session.scalar(select(Bulletin).where(Bulletin.published_on.is_not(None)))
        bid, correct = bulletin.id, bulletin.correct
    login(client, agency["jordan"])
    token = _form_token(client.get(f"/training/bulletins/{bid}").get_data(as_text=True))
    client.post(f"/training/bulletins/{bid}", data={"csrf_token": token, "choice": correct})
    assert "That is the policy's answer" in client.get(f"/training/bulletins/{bid}").get_data(
        as_text=True
    )


def test_no_answer_or_a_made_up_one_is_a_clear_error(app, agency, client):
    with app.app_context():
        bid = db.session.scalar(select(Bulletin.id).where(Bulletin.published_on.is_not(None)))
    login(client, agency["jordan"])
    token = _form_token(client.get(f"/training/bulletins/{bid}").get_data(as_text=True))
    for data in ({}, {"choice": "7"}, {"choice": "x" * 5000}, {"choice": "-1"}):
        response = client.post(f"/training/bulletins/{bid}", data={"csrf_token": token, **data})
        assert response.status_code == 200
        assert "Choose one of the answers." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulletinAnswer)) == 0


def test_a_queued_or_future_bulletin_cannot_be_read(app, agency, client):
    with app.app_context():
        queued = training.queued()
        queued[0].published_on = training.today() + timedelta(days=1)
        db.session.commit()
        future, waiting = queued[0].id, queued[1].id
    login(client, agency["jordan"])
    for bid in (future, waiting, 2**40):
        assert client.get(f"/training/bulletins/{bid}").status_code == 404


def test_the_training_page_lists_the_month_and_what_is_answered(app, agency, client):
    login(client, agency["jordan"])
    page = client.get("/training/").get_data(as_text=True)
    assert "Version 1 waits for you" in page
    assert "not answered yet" in page
    assert 'href="/help/anonymous"' in page  # the public page, nothing added


def test_managers_add_edit_order_and_remove_queued_bulletins(app, agency, client):
    login(client, agency["alex"])  # an admin may run the queue too
    page = client.get("/training/manage/bulletins").get_data(as_text=True)
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    typed = {
        "csrf_token": _form_token(page),
        "once": once,
        "title": "Asking early",
        "topic": "backup",
        "situation": "A call.",
        "question": "What now?",
        "answer_1": "Wait",
        "answer_2": "",
        "answer_3": "Ask",
        "correct": "2",
        "why": "Section 1.",
        "ask": "Ask your sergeant.",
    }
    assert client.post("/training/manage/bulletins", data=typed).status_code == 302
    with app.app_context():
        added = training.queued()[-1]
        assert (added.title, added.answers, added.correct) == ("Asking early", ["Wait", "Ask"], 1)
        added_id, first_id = added.id, training.queued()[0].id
    # the policy's answer pointing at a blank answer, or a single answer: refused, nothing saved
    bad = typed | {"once": "other", "correct": "1"}
    assert "Choose which answer" in client.post("/training/manage/bulletins", data=bad).get_data(
        as_text=True
    )
    bad = typed | {"once": "third", "answer_3": "", "correct": "0"}
    assert "between 2 and 5" in client.post("/training/manage/bulletins", data=bad).get_data(
        as_text=True
    )
    client.post(
        f"/training/manage/bulletins/{added_id}/move",
        data={"csrf_token": typed["csrf_token"], "place": "1"},
    )
    with app.app_context():
        assert [b.id for b in training.queued()][:2] == [added_id, first_id]
        assert len(training.queued()) == 20
    for place in ("²", "-1", "9" * 50, ""):  # never a 500: anything but a small number is 1
        response = client.post(
            f"/training/manage/bulletins/{added_id}/move",
            data={"csrf_token": typed["csrf_token"], "place": place},
        )
        assert response.status_code == 302
    edit = typed | {"once": "edit", "title": "Asking early, edited"}
    assert client.post(f"/training/manage/bulletins/{added_id}", data=edit).status_code == 302
    with app.app_context():
        assert db.session.get(Bulletin, added_id).title == "Asking early, edited"
    client.post(
        f"/training/manage/bulletins/{added_id}/remove", data={"csrf_token": typed["csrf_token"]}
    )
    with app.app_context():
        assert added_id not in [b.id for b in training.queued()]
        published = db.session.scalar(select(Bulletin.id).where(Bulletin.published_on.is_not(None)))
    # a published bulletin stays as members read it
    assert client.get(f"/training/manage/bulletins/{published}").status_code == 404
    assert (
        client.post(
            f"/training/manage/bulletins/{published}/remove",
            data={"csrf_token": typed["csrf_token"]},
        ).status_code
        == 404
    )


def test_a_bulletin_published_after_the_page_was_drawn_is_not_changed_or_removed(app, agency):
    from sqlalchemy import update

    from wellness.training.models import Bulletin as B

    with app.app_context():
        stale = training.queued()[0]  # loaded while queued
        with app.app_context():  # meanwhile the scheduler publishes it
            db.session.execute(
                update(B)
                .where(B.id == stale.id)
                .values(published_on=training.today() + timedelta(days=1))
            )
            db.session.commit()
        fields = rules.BulletinFields("Changed", "self", "S", "Q", ("A", "B"), 0, "W", "A")
        for attempt in (
            lambda: training.remove_bulletin(stale),
            lambda: training.edit_bulletin(stale, fields),
            lambda: training.move_bulletin(stale, 3),
        ):
            try:
                attempt()
            except training.AlreadyPublishedError:
                pass
            else:
                raise AssertionError("a published bulletin was changed")
        db.session.expire_all()
        kept = db.session.get(B, stale.id)
        assert kept is not None
        assert kept.title != "Changed"
