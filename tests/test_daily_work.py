"""The daily work, through the web without a browser (issue 16): a result is shown once after a
redirect and is in no URL or cookie, a form sent twice is stored once, typing survives an idle
sign-out or a stale page (and another site cannot plant any), ``next`` stays on this site, each
role starts where its work is, and the words on the pages say what is true.

(The same in a real phone-sized browser: tests/browser/test_daily_work.py; every form of every
page: tests/test_post_redirect_get.py; the case page's actions: tests/cases/test_actions.py.)
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.attacks.conftest import dump_tables
from tests.factories import (
    PASSWORD,
    csrf_token,
    login,
    make_unit,
    make_user,
    post,
    self_referral,
    totp_code,
)
from tests.htmlforms import forms_on
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.cases.models import Case, Message
from wellness.checkins.models import CheckIn
from wellness.extensions import db
from wellness.jobs import run_named
from wellness.main.models import HeldPage, UsedToken
from wellness.referrals import service as referrals
from wellness.timeutil import as_utc, frozen_at, utcnow


@pytest.fixture
def people(ctx):
    north = make_unit("North")
    south = make_unit("South")
    team = {
        "officer": make_user("jordan", Role.OFFICER, unit=north),
        "colleague": make_user("sam", Role.OFFICER, unit=south),
        "sgt": make_user("sgt.north", Role.OFFICER, Role.SUPERVISOR, unit=north),
        "counselor": make_user("kelly", Role.COUNSELOR, unit=south),
        "coordinator": make_user("maria", Role.COORDINATOR),
        "admin": make_user("itadmin", Role.ADMIN),
    }
    accounts.save_counselor_profile(team["counselor"], caseload_cap=5, on_call=True)
    db.session.commit()
    return team


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def form_data(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` (CSRF token, one-time token, page)."""
    form = next(f for f in forms_on(html) if f.action.endswith(action))
    return {c.name: c.value for c in form.controls if c.kind == "hidden"}


def send_anonymously(client, **fields):  # type: ignore[no-untyped-def]
    data = {"urgency": "routine", "unit": 0, "topics": ["stress"], "text": "MARKER-TEXT", **fields}
    return post(client, "/help/anonymous", data, token_from="/help/anonymous")


# --- 1. Post/redirect/get: shown once, never twice, in no URL or cookie --------------------


def test_the_receipt_code_is_shown_once_after_a_redirect_and_is_in_no_url_or_cookie(app, people):
    client = app.test_client()
    sent = send_anonymously(client)
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/help/sent"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    stored = repr(dump_tables())  # what is held until the next page: a hash and a sealed box
    page = client.get("/help/sent").get_data(as_text=True)
    code = re.search(r'class="receipt-code"><code>([^<]+)</code>', page).group(1)
    assert code not in cookie
    with client.session_transaction() as session:  # nor in the cookie decoded (signed, not sealed)
        assert code not in repr(dict(session))
    assert code not in sent.headers["Location"]
    assert code not in stored
    assert code.replace("-", "") not in stored
    again = client.get("/help/sent").get_data(as_text=True)  # a reload
    assert code not in again
    assert "was sent" in again
    assert count(Case) == 1
    assert count(HeldPage) == 0


def test_a_double_tap_whose_first_answer_was_lost_still_shows_the_receipt_code(app, people):
    client = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    data = form_data(client.get("/help/anonymous").get_data(as_text=True), "/help/anonymous")
    data |= {"urgency": "routine", "unit": "0", "topics": "stress", "text": "MARKER-TEXT"}
    before = client.get_cookie(name).value
    assert client.post("/help/anonymous", data=data).status_code == 302
    client.set_cookie(name, before)  # the browser dropped that answer (and its cookie)
    again = client.post("/help/anonymous", data=data)  # the second tap
    assert again.headers["Location"] == "/help/sent"
    page = client.get("/help/sent").get_data(as_text=True)
    assert 'class="receipt-code"' in page  # the code the first sending made, shown once
    assert count(Case) == 1
    assert 'class="receipt-code"' not in client.get("/help/sent").get_data(as_text=True)


def test_a_message_sent_twice_from_the_same_page_is_stored_once(app, people):
    _, code = self_referral(None)
    client = app.test_client()
    opened = post(client, "/receipt", {"code": code}, token_from="/receipt")
    assert opened.headers["Location"] == "/receipt"
    assert code not in opened.headers["Location"]
    page = client.get("/receipt").get_data(as_text=True)
    data = form_data(page, "/receipt/message") | {"body": "Thank you, Tuesday works"}
    assert data["once"]
    first = client.post("/receipt/message", data=data)
    second = client.post("/receipt/message", data=data)  # a double tap, or Back and send
    assert first.status_code == second.status_code == 302
    assert count(Message) == 1
    assert "sent already" in client.get("/receipt").get_data(as_text=True)
    assert code not in client.get("/receipt").get_data(as_text=True)  # shown once, then gone


# --- 2. Never lose typing --------------------------------------------------------------------


def test_typing_survives_an_idle_sign_out_and_comes_back_after_signing_in(app, people):
    case, _ = self_referral(people["officer"])
    kelly = app.test_client()
    start = utcnow()
    with frozen_at(start):
        login(kelly, people["counselor"])
        page = kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "minutes without activity you are signed out" in page  # said before it happens
    data = form_data(page, f"/cases/{case.id}/message") | {"body": "MARKER-REPLY typed slowly"}
    later = start + timedelta(minutes=app.config["IDLE_TIMEOUT_STAFF_MINUTES"] + 1)
    with frozen_at(later):
        sent = kelly.post(f"/cases/{case.id}/message", data=data)
        assert sent.status_code == 302
        assert sent.headers["Location"] == f"/login?next=/cases/{case.id}"
        assert "MARKER" not in sent.headers["Location"]
        assert "MARKER" not in repr(dump_tables())  # held sealed, under the browser's key
        said = kelly.get(sent.headers["Location"]).get_data(as_text=True)
        assert "signed out after a while without activity" in said
        assert "What you typed has been kept" in said
        signing_in = sent.headers["Location"]  # the sign-in form posts back to this address
        post(kelly, signing_in, {"username": "kelly", "password": PASSWORD}, token_from=signing_in)
        code = {"code": totp_code(people["counselor"])}
        back = post(kelly, "/login/verify", code, token_from="/login/verify")
        assert back.headers["Location"] == f"/cases/{case.id}"
        form = kelly.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "MARKER-REPLY typed slowly</textarea>" in form
        assert "MARKER-REPLY" not in kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    assert count(Message) == 0  # put back, never sent on their behalf


def test_typing_kept_at_an_idle_sign_out_goes_back_to_that_person_only(app, people):
    """Someone else signing in next on the same browser never gets it."""
    case, _ = self_referral(people["officer"])
    other = make_user("luis", Role.COUNSELOR)
    db.session.commit()
    kelly = app.test_client()
    start = utcnow()
    with frozen_at(start):
        login(kelly, people["counselor"])
        page = kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    data = form_data(page, f"/cases/{case.id}/note") | {"body": "MARKER-KELLYS-NOTE"}
    with frozen_at(start + timedelta(minutes=app.config["IDLE_TIMEOUT_STAFF_MINUTES"] + 1)):
        assert kelly.post(f"/cases/{case.id}/note", data=data).status_code == 302
        with kelly.session_transaction() as session:
            assert "draft" in session["held"]  # kept, for Kelly
        login(kelly, other)  # Luis signs in on the browser Kelly left
        with kelly.session_transaction() as session:
            assert "draft" not in session.get("held", {})  # not carried over to him


def test_a_note_kept_at_an_idle_sign_out_comes_back_as_a_note_not_a_message(app, people):
    case, _ = self_referral(people["officer"])
    kelly = app.test_client()
    start = utcnow()
    with frozen_at(start):
        login(kelly, people["counselor"])
        page = kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    data = form_data(page, f"/cases/{case.id}/note") | {"body": "MARKER-PRIVATE-NOTE"}
    with frozen_at(start + timedelta(minutes=app.config["IDLE_TIMEOUT_STAFF_MINUTES"] + 1)):
        sent = kelly.post(f"/cases/{case.id}/note", data=data)
        signing_in = sent.headers["Location"]
        post(kelly, signing_in, {"username": "kelly", "password": PASSWORD}, token_from=signing_in)
        code = {"code": totp_code(people["counselor"])}
        post(kelly, "/login/verify", code, token_from="/login/verify")
        forms = forms_on(kelly.get(f"/cases/{case.id}").get_data(as_text=True))
    by_action = {f.action: f for f in forms}
    note = by_action[f"/cases/{case.id}/note"].control("body")
    message = by_action[f"/cases/{case.id}/message"].control("body")
    assert note.value.strip() == "MARKER-PRIVATE-NOTE"
    assert message.value.strip() == ""  # never in the box that goes to the officer


def test_a_closed_case_takes_no_message_note_contact_or_acceptance_from_an_old_page(app, people):
    case, code = self_referral(None)
    kelly = app.test_client()
    login(kelly, people["counselor"])
    page = kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    old = {a: form_data(page, f"/cases/{case.id}/{a}") for a in ("message", "note", "accept")}
    closing = {"outcome": "resolved", "resource": 0}
    post(kelly, f"/cases/{case.id}/close", closing, token_from=f"/cases/{case.id}")
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "closed"
    before = repr(dump_tables()["messages"]) + repr(dump_tables()["notes"])
    for action, data in old.items():
        answer = kelly.post(f"/cases/{case.id}/{action}", data=data | {"body": "MARKER-LATE"})
        assert answer.status_code == 302, action
    assert "This case is closed" in kelly.get(f"/cases/{case.id}").get_data(as_text=True)
    officer = app.test_client()
    opened = post(officer, "/receipt", {"code": code}, token_from="/receipt")
    page = officer.get(opened.headers["Location"]).get_data(as_text=True)
    assert "This request is closed" in page
    assert "/receipt/message" not in page  # no form that would throw the words away
    late = {"code": code, "body": "MARKER-LATE", "once": "late-token"}
    answer = post(officer, "/receipt/message", late, token_from="/receipt")
    assert answer.headers["Location"] == "/receipt"  # back to their request, saying why
    shown = officer.get("/receipt").get_data(as_text=True)
    assert "This case is closed" in shown
    assert "This request is closed" in shown  # the request itself, not the empty code form
    after = repr(dump_tables()["messages"]) + repr(dump_tables()["notes"])
    assert after == before
    assert db.session.get(Case, case.id).accepted_at is None


def test_a_page_left_open_too_long_keeps_its_typing_and_a_forged_form_keeps_nothing(app, people):
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    client = app.test_client()
    data = form_data(client.get("/help/anonymous").get_data(as_text=True), "/help/anonymous")
    time.sleep(2)  # the page's token is now stale (not a speed assertion)
    sent = client.post("/help/anonymous", data=data | {"text": "MARKER-KEPT words"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/help/anonymous"
    page = client.get("/help/anonymous").get_data(as_text=True)
    assert "open too long, so nothing was sent" in page
    assert "MARKER-KEPT words</textarea>" in page
    assert count(Case) == 0

    other_site = app.test_client()  # a POST from elsewhere: no cookie, no token of its own
    for token in ("", "forged", data["csrf_token"]):
        refused = other_site.post(
            "/help/anonymous", data={"csrf_token": token, "text": "MARKER-PLANTED"}
        )
        assert refused.status_code == 400
    # And with the victim's own cookie (sent by a same-site page, say): a token that is not
    # this browser's own is refused outright, and nothing is kept for its form.
    victim = app.test_client()
    victim.get("/help/anonymous")
    foreign = form_data(other_site.get("/help/anonymous").get_data(as_text=True), "/help/anonymous")
    for token in ("", "forged", foreign["csrf_token"]):
        refused = victim.post(
            "/help/anonymous", data={"csrf_token": token, "text": "MARKER-PLANTED"}
        )
        assert refused.status_code == 400
    assert count(HeldPage) == 0
    assert "MARKER-PLANTED" not in victim.get("/help/anonymous").get_data(as_text=True)


@pytest.mark.parametrize(
    ("given", "lands"),
    [
        ("/me/checkins", "/me/checkins"),
        ("//evil.example/x", "/me/referrals"),
        ("https://evil.example/x", "/me/referrals"),
        ("/\\evil.example", "/me/referrals"),
    ],
)
def test_next_after_signing_in_is_honoured_on_this_site_only(app, people, given, lands):
    client = app.test_client()
    answer = client.post(
        "/login",
        query_string={"next": given},
        data={"csrf_token": csrf_token(client), "username": "jordan", "password": PASSWORD},
    )
    assert answer.headers["Location"] == lands


# --- 4. Role-aware start ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "lands"),
    [
        ("officer", "/me/referrals"),
        ("sgt", "/me/referrals"),
        ("counselor", "/cases/"),
        ("coordinator", "/coordinator/queue"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_starts_where_its_work_is(app, people, who, lands):
    client = app.test_client()
    assert login(client, people[who]).headers["Location"] == lands
    assert client.get("/").status_code == 200  # the public home stays for everyone


def test_the_coordinators_start_leads_with_a_crisis_nobody_holds(app, people):
    accounts.save_counselor_profile(people["counselor"], available=False)
    self_referral(None, urgency="routine")
    self_referral(None, urgency="crisis")
    maria = app.test_client()
    login(maria, people["coordinator"])
    page = maria.get("/coordinator/queue").get_data(as_text=True)
    main = page[page.index("<main") :]
    assert main.index("Needs action") < main.index("1 crisis request with no counselor")
    waiting = main[main.index("Waiting for a counselor") :]
    assert waiting.index("crisis") < waiting.index("routine")  # the crisis first


# --- 5. Times in the agency's zone ------------------------------------------------------------


@pytest.mark.parametrize("app_overrides", [{"TIMEZONE": "America/Chicago"}])
def test_check_in_times_are_typed_and_shown_in_the_agencys_zone_and_kept_in_utc(app, people):
    case, _ = self_referral(people["officer"])
    kelly = app.test_client()
    login(kelly, people["counselor"])
    day = (utcnow() + timedelta(days=3)).date()
    typed = f"{day:%Y-%m-%d}T09:30"
    post(kelly, f"/cases/{case.id}/check-ins", {"due_at": typed}, token_from=f"/cases/{case.id}")
    due = as_utc(db.session.scalars(select(CheckIn.due_at)).one())
    chicago = datetime.fromisoformat(typed).replace(tzinfo=ZoneInfo("America/Chicago"))
    assert due == chicago
    assert due.hour != 9  # stored in UTC, not as typed
    assert "09:30" in kelly.get(f"/cases/{case.id}").get_data(as_text=True)


# --- 6. Words that say what is true -----------------------------------------------------------


def test_a_blank_anonymous_request_is_refused_with_a_reason_and_a_crisis_never_is(app, people):
    client = app.test_client()
    blank = send_anonymously(client, topics=[], text="")
    assert blank.status_code == 200
    assert "Choose at least one topic or write a few words" in blank.get_data(as_text=True)
    assert count(Case) == 0
    crisis = send_anonymously(client, topics=[], text="", urgency="crisis")
    assert crisis.status_code == 302
    assert count(Case) == 1


def test_staff_pages_say_anonymous_named_or_concern(app, people):
    anonymous, _ = self_referral(None)
    named, _ = self_referral(people["officer"])
    kelly = app.test_client()
    login(kelly, people["counselor"])
    dashboard = kelly.get("/cases/").get_data(as_text=True)
    assert "anonymous request" in dashboard
    assert "named request" in dashboard
    assert "self referral" not in dashboard.lower()
    assert "anonymous request" in kelly.get(f"/cases/{anonymous.id}").get_data(as_text=True)
    assert "named request" in kelly.get(f"/cases/{named.id}").get_data(as_text=True)


def test_the_supervisors_list_names_whom_a_concern_was_about(app, people):
    from tests.factories import reader

    referrals.submit_concern(
        referrals.ConcernReport(people["colleague"], [], "MARKER-CONCERN", "soon"),
        reader(people["sgt"], as_owner=True),
    )
    sgt = app.test_client()
    login(sgt, people["sgt"])
    page = sgt.get("/me/referrals").get_data(as_text=True)
    assert f"Concern you raised about {people['colleague'].display_name}" in page


def test_a_risk_answer_is_never_followed_by_reassurance(app, people):
    answers = {f"q{i}": "0" for i in range(8)} | {"q8": "1"}
    page = post(
        app.test_client(), "/screeners/phq9", answers, token_from="/screeners/phq9"
    ).get_data(as_text=True)
    assert "what you said about hurting yourself matters most" in page
    assert "Minimal" not in page
    assert "Few signs" not in page


# --- What is held does not outlive its minutes ------------------------------------------------


def test_held_pages_and_used_tokens_are_purged_unattended(app, people):
    client = app.test_client()
    send_anonymously(client)  # a held "sent" page, never taken, and a used form token
    assert count(HeldPage) == 1
    assert count(UsedToken) == 1
    run_named("held", utcnow() + timedelta(minutes=5))
    assert count(HeldPage) == 1  # still within its minutes
    with frozen_at(utcnow() + timedelta(days=2)):
        counts = run_named("held", utcnow())
    assert counts == {"held pages purged": 2}
    assert count(HeldPage) == 0
    assert count(UsedToken) == 0
