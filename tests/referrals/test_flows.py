"""Asking for help, end to end through the web, on SQLite and PostgreSQL."""

import logging
import re

import pytest
from sqlalchemy import func, select

from tests.cases.test_confidentiality import dump_database
from tests.factories import login, make_unit, make_user, post, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.notifications.models import Notification
from wellness.program import crisis
from wellness.referrals import mine, receipt_lookup

ANON_IP, ANON_AGENT = "203.0.113.77", "MarkerAgent/9.9 (ANON-DEVICE)"


@pytest.fixture
def agency(ctx):
    """HQ > Patrol > (North, South); counselors in North, South and Support; a supervisor."""
    sgt = make_user("sgt.north", Role.OFFICER, Role.SUPERVISOR)
    hq = make_unit("HQ")
    patrol = make_unit("Patrol", hq)
    north = make_unit("North", patrol, supervisor=sgt)
    south = make_unit("South", patrol)
    support = make_unit("Support", hq)
    people = {
        "sgt": sgt,
        "officer": make_user("jordan", Role.OFFICER, unit=north),
        "colleague": make_user("sam", Role.OFFICER, unit=south),
        "peer_north": make_user("kelly", Role.OFFICER, Role.COUNSELOR, unit=north),
        "peer_south": make_user("luis", Role.OFFICER, Role.COUNSELOR, unit=south),
        "coordinator": make_user("maria", Role.COORDINATOR, unit=support),
        "admin": make_user("itadmin", Role.ADMIN, unit=support),
    }
    sgt.unit_id = north.id
    accounts.save_counselor_profile(people["peer_north"], caseload_cap=5, on_call=False)
    accounts.save_counselor_profile(people["peer_south"], caseload_cap=5, on_call=True)
    people["units"] = {"north": north, "south": south}
    return people


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def count_cases():
    return db.session.scalar(select(func.count()).select_from(Case))


def test_named_referral_goes_to_a_counselor_outside_the_officers_unit(app, agency, caplog):
    caplog.set_level(logging.DEBUG)
    officer = signed_in(app, agency["officer"])
    sent = post(
        officer,
        "/help/self",
        {
            "urgency": "soon",
            "topics": ["sleep"],
            "text": "MARKER-TEXT cannot sleep",
            "supporter_type": "",
            "contact_method": "phone",
            "contact_details": "555-0100",
        },
        token_from="/help/self",
        follow_redirects=True,
    )
    assert "Your request was sent" in sent.get_data(as_text=True)
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id == agency["peer_south"].id  # peer_north works in the officer's unit
    assert case.routing_summary.startswith("Routed by the rules")  # no counts in clear

    counselor = signed_in(app, agency["peer_south"])
    assert f"/cases/{case.id}" in counselor.get("/cases/").get_data(as_text=True)
    page = counselor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "MARKER-TEXT cannot sleep" in page
    assert "555-0100" in page
    post(
        counselor,
        f"/cases/{case.id}/message",
        {"body": "MARKER-REPLY Hi Jordan, call me?"},
        token_from=f"/cases/{case.id}",
    )

    mine = officer.get(f"/me/referrals/{case.id}").get_data(as_text=True)
    assert "MARKER-REPLY Hi Jordan" in mine
    assert "Someone has reached out" in mine
    assert "Luis (counselor)" in mine  # the access log names who opened it
    assert agency["peer_north"].id not in {
        n.user_id for n in db.session.scalars(select(Notification))
    }
    assert "MARKER" not in caplog.text
    assert b"MARKER" not in dump_database()
    recent = signed_in(app, agency["coordinator"]).get("/coordinator/queue").get_data(as_text=True)
    assert "Luis" in recent
    assert "Routed by the rules" in recent
    reasons = cases.open_case(case.id, reader(agency["peer_south"]), "why")["routing"]
    assert "1 excluded: works in the subject's unit" in reasons


def test_routing_skips_the_subjects_chain_of_command(app, agency):
    accounts.update_user(
        agency["sgt"],
        "Sgt",
        agency["units"]["north"].id,
        [Role.OFFICER, Role.SUPERVISOR, Role.COUNSELOR],
        True,
    )
    accounts.save_counselor_profile(agency["sgt"], caseload_cap=5)
    accounts.save_counselor_profile(agency["peer_south"], available=False, on_call=False)
    officer = signed_in(app, agency["officer"])
    post(
        officer,
        "/help/self",
        {"urgency": "routine", "contact_method": "here"},
        token_from="/help/self",
        follow_redirects=True,
    )
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id is None  # north peer: same unit; sergeant: chain of command
    reasons = cases.open_case(case.id, reader(agency["coordinator"]), "queue")["routing"]
    assert "1 excluded: is in the subject's chain of command" in reasons
    queue = signed_in(app, agency["coordinator"]).get("/coordinator/queue").get_data(as_text=True)
    assert f"#{case.id}" in queue
    assert "No eligible counselor: coordinator&#39;s queue." in queue


def test_anonymous_receipt_round_trip_stores_no_address_or_device(app, agency, caplog):
    caplog.set_level(logging.DEBUG)
    anonymous = app.test_client()
    anonymous.environ_base.update(REMOTE_ADDR=ANON_IP, HTTP_USER_AGENT=ANON_AGENT)
    sent = post(
        anonymous,
        "/help/anonymous",
        {
            "urgency": "routine",
            "topics": ["stress"],
            "text": "MARKER-ANON drinking too much",
            "supporter_type": "peer",
            "unit": agency["units"]["north"].id,
        },
        token_from="/help/anonymous",
        follow_redirects=True,
    ).get_data(as_text=True)
    code = re.search(r'class="receipt-code"><code>([0-9A-Z-]+)</code>', sent).group(1)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)  # 80 bits
    case = db.session.scalars(select(Case)).one()
    assert case.assignee_id == agency["peer_south"].id  # kept away from the unit they gave

    counselor = signed_in(app, agency["peer_south"])
    assert "MARKER-ANON" in counselor.get(f"/cases/{case.id}").get_data(as_text=True)
    post(
        counselor,
        f"/cases/{case.id}/message",
        {"body": "MARKER-REPLY we are here"},
        token_from=f"/cases/{case.id}",
    )

    page = post(
        anonymous,
        "/receipt",
        {"code": code.lower().replace("-", " ")},
        token_from="/receipt",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "MARKER-REPLY we are here" in page
    assert "MARKER-ANON" in page
    post(
        anonymous,
        "/receipt/message",
        {"code": code, "body": "MARKER-ANSWER thank you"},
        token_from="/receipt",
        follow_redirects=True,
    )
    assert "MARKER-ANSWER thank you" in counselor.get(f"/cases/{case.id}").get_data(as_text=True)

    stored = dump_database()
    for secret in (ANON_IP, ANON_AGENT, code, code.replace("-", ""), "MARKER"):
        assert secret.encode() not in stored
        assert secret not in caplog.text


def test_wrong_receipt_is_refused_without_an_error_page(app, agency):
    client = app.test_client()
    for code in ["0000-0000-0000-0000", "not a code", "x" * 40]:
        response = post(
            client, "/receipt", {"code": code}, token_from="/receipt", follow_redirects=True
        )
        assert response.status_code == 200
        assert "No request matches that code" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_overrides", [{"RECEIPT_RATE_LIMIT": "3 per minute"}])
def test_receipt_lookups_are_rate_limited(app, agency, app_overrides):
    client = app.test_client()
    codes = [
        post(
            client,
            "/receipt",
            {"code": "0000-0000-0000-0000"},
            token_from="/receipt",
            follow_redirects=True,
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_crisis_shows_the_numbers_first_and_pages_the_on_call_counselor(app, agency):
    crisis.save(app.instance_path, crisis.CrisisNumbers("Peer on-call", "555-0199", ""))
    officer = signed_in(app, agency["officer"])
    body = post(
        officer,
        "/help/self",
        {"urgency": "crisis", "contact_method": "phone"},
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert body.index('href="tel:988"', body.index("<main")) < body.index("Your request was sent")
    assert "555-0199" in body
    assert "An on-call peer supporter has been paged now" in body
    assert "within <strong>15 minutes</strong>" in body  # what happens next, in words
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (agency["peer_south"].id, "crisis") in kinds
    assert (agency["coordinator"].id, "crisis_routed") in kinds  # told at the same time


def test_crisis_with_nobody_on_call_pages_an_available_counselor(app, agency):
    accounts.save_counselor_profile(agency["peer_south"], on_call=False)
    post(
        app.test_client(),
        "/help/anonymous",
        {"urgency": "crisis", "unit": 0},
        token_from="/help/anonymous",
        follow_redirects=True,
    )
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    paged = {who for who, kind in kinds if kind == "crisis"}
    assert paged  # someone available, though nobody was on call
    assert (agency["coordinator"].id, "crisis_routed") in kinds


def test_crisis_with_nobody_available_tells_the_officer_plainly(app, agency):
    for person in ("peer_south", "peer_north"):
        if person in agency:
            accounts.save_counselor_profile(agency[person], available=False)
    body = post(
        app.test_client(),
        "/help/anonymous",
        {"urgency": "crisis", "unit": 0},
        token_from="/help/anonymous",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Nobody could be paged at once" in body
    assert "The team cannot reach you: you did not leave a way to contact you." in body
    assert "Phone number or e-mail to reach you" in body  # and a way to add one
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (agency["coordinator"].id, "crisis_unrouted") in kinds


def test_notifications_never_carry_content(app, agency):
    officer = signed_in(app, agency["officer"])
    post(
        officer,
        "/help/self",
        {"urgency": "soon", "text": "MARKER-TEXT", "contact_method": "here"},
        token_from="/help/self",
        follow_redirects=True,
    )
    page = signed_in(app, agency["peer_south"]).get("/cases/").get_data(as_text=True)
    assert "A new referral is waiting for you." in page
    assert "MARKER" not in page
    assert "Jordan" not in page


def test_screener_risk_answer_shows_crisis_help_first_and_saves_nothing(app, agency):
    client = app.test_client()
    before = dump_database()
    answers = {f"q{i}": "0" for i in range(8)} | {"q8": "1"}
    body = post(client, "/screeners/phq9", answers, token_from="/screeners/phq9").get_data(
        as_text=True
    )
    assert body.index('href="tel:988"', body.index("<main")) < body.index("Mood (PHQ-9): 1 of 27")
    assert dump_database() == before


def test_screener_result_can_be_attached_and_is_rescored_on_the_server(app, agency):
    officer = signed_in(app, agency["officer"])
    start = post(
        officer,
        "/help/self",
        {"start": "1", "screener": "gad7", "screener_answers": "3,3,3,3,3,3,3"},
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "GAD7 result will be attached" in start
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    post(
        officer,
        "/help/self",
        {
            "urgency": "routine",
            "contact_method": "here",
            "screener": "gad7",
            "screener_answers": "3,3,3,3,3,3,3",
        },
        token_from="/help/self",
        follow_redirects=True,
    )
    case = db.session.scalars(select(Case)).one()
    page = signed_in(app, agency["peer_south"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "GAD7: 21 (severe)" in page


def test_screener_with_missing_answers_asks_again(app, agency):
    response = post(app.test_client(), "/screeners/gad7", {"q0": "1"}, token_from="/screeners/gad7")
    assert response.status_code == 200
    assert "Please answer every question" in response.get_data(as_text=True)
    assert app.test_client().get("/screeners/nope").status_code == 404


def test_crisis_page_works_with_the_database_down(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    crisis.save(app.instance_path, crisis.CrisisNumbers("Peer on-call", "555-0199", "We care."))
    response = app.test_client().get("/crisis")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="tel:988"' in body
    assert "555-0199" in body
    assert "We care." in body


def test_supervisor_report_reaches_a_counselor_and_the_supervisor_learns_only_status(app, agency):
    supervisor = signed_in(app, agency["sgt"])
    post(
        supervisor,
        "/help/report",
        {
            "colleague": "Jordan",
            "behaviours": ["withdrawal", "alcohol"],
            "urgency": "soon",
            "critical_incident": "y",
            "observed_on": "last week",
            "actions_taken": "MARKER-ACTIONS",
            "text": "MARKER-CONCERN smelled of alcohol at roll call",
        },
        token_from="/help/report",
        follow_redirects=True,
    )
    case = db.session.scalars(select(Case)).one()
    assert case.kind == "supervisor_report"
    assert case.assignee_id == agency["peer_south"].id
    counselor = signed_in(app, agency["peer_south"])
    page = counselor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "MARKER-CONCERN" in page
    assert "Jordan" in page
    assert "Sgt.North" in page

    assert "Received" in supervisor.get("/me/referrals").get_data(as_text=True)
    post(counselor, f"/cases/{case.id}/contacted", token_from=f"/cases/{case.id}")
    post(
        counselor,
        f"/cases/{case.id}/message",
        {"body": "MARKER-NOTE spoke to him"},
        token_from=f"/cases/{case.id}",
    )
    mine = supervisor.get("/me/referrals").get_data(as_text=True)
    assert "Someone has reached out" in mine
    # The firewall: every page, with this case's id, shows the supervisor nothing of it.
    assert supervisor.get(f"/cases/{case.id}").status_code == 403
    assert supervisor.get(f"/me/referrals/{case.id}").status_code == 404
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            body = supervisor.get(re.sub(r"<[^>]+>", str(case.id), rule.rule)).get_data()
            assert b"MARKER" not in body, rule.rule
    refused = post(
        supervisor,
        f"/me/referrals/{case.id}/message",
        {"body": "hello"},
        token_from="/me/referrals",
    )
    assert refused.status_code == 404


def test_colleague_concern_resolves_names_and_offers_choices(app, agency):
    make_user("sam.two", Role.OFFICER)
    db.session.execute(
        db.update(User).where(User.username == "sam.two").values(display_name="Sam Rivera")
    )
    db.session.execute(
        db.update(User).where(User.username == "sam").values(display_name="Sam Rivera")
    )
    db.session.commit()
    reporter = signed_in(app, agency["officer"])
    ambiguous = post(
        reporter,
        "/help/concern",
        {"colleague": "Sam Rivera", "urgency": "routine"},
        token_from="/help/concern",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Choose one of the people below" in ambiguous
    assert 'value="sam.two"' in ambiguous
    unknown = post(
        reporter,
        "/help/concern",
        {"colleague": "Nobody Here", "urgency": "routine"},
        token_from="/help/concern",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Nobody matches that name" in unknown
    myself = post(
        reporter,
        "/help/concern",
        {"colleague": "jordan", "urgency": "routine"},
        token_from="/help/concern",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Nobody matches" in myself or "Choose one" in myself
    assert count_cases() == 0
    post(
        reporter,
        "/help/concern",
        {"colleague": "sam.two", "urgency": "routine", "text": "MARKER-CONCERN quiet lately"},
        token_from="/help/concern",
        follow_redirects=True,
    )
    assert count_cases() == 1


def test_officer_can_export_and_withdraw(app, agency):
    officer = signed_in(app, agency["officer"])
    post(
        officer,
        "/help/self",
        {"urgency": "routine", "text": "MARKER-TEXT export me", "contact_method": "here"},
        token_from="/help/self",
        follow_redirects=True,
    )
    case = db.session.scalars(select(Case)).one()
    counselor = signed_in(app, agency["peer_south"])
    post(
        counselor,
        f"/cases/{case.id}/message",
        {"body": "MARKER-REPLY hello"},
        token_from=f"/cases/{case.id}",
    )
    exported = officer.get("/me/export.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = exported.get_json()
    assert data["referrals"][0]["content"]["text"] == "MARKER-TEXT export me"
    assert data["referrals"][0]["messages"][0]["text"] == "MARKER-REPLY hello"
    assert {line["who"] for line in data["referrals"][0]["access_log"]} >= {"Luis (counselor)"}

    from datetime import timedelta

    from wellness.checkins import service as checkins
    from wellness.checkins.models import CheckIn
    from wellness.timeutil import utcnow

    checkins.schedule(case.id, reader(agency["peer_south"]), [utcnow() + timedelta(days=1)])
    case_id = case.id
    refused = post(officer, f"/me/referrals/{case_id}/withdraw", {}, token_from="/me/referrals")
    assert refused.status_code == 302
    assert db.session.get(Case, case_id) is not None
    post(officer, f"/me/referrals/{case_id}/withdraw", {"confirm": "y"}, token_from="/me/referrals")
    db.session.expunge_all()
    assert db.session.get(Case, case_id) is None  # destroyed, row and all
    assert counselor.get(f"/cases/{case_id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0  # no reminder left
    assert b"MARKER" not in dump_database()
    assert "You have not made any requests" in officer.get("/me/referrals").get_data(as_text=True)


@pytest.mark.parametrize(
    "form",
    [
        {"urgency": "routine", "text": "x" * 5001, "contact_method": "here"},
        {"urgency": "whenever", "contact_method": "here"},
        {"urgency": "routine", "topics": ["gambling"], "contact_method": "here"},
        {"urgency": "routine", "contact_method": "pigeon"},
        {"urgency": "routine", "contact_method": "here", "contact_details": "9" * 201},
        {
            "urgency": "routine",
            "contact_method": "here",
            "screener": "phq9",
            "screener_answers": "9,9,9",
        },
        {"urgency": "routine", "contact_method": "here", "language": "x" * 41},
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(app, agency, form):
    officer = signed_in(app, agency["officer"])
    response = post(officer, "/help/self", form, token_from="/help/self", follow_redirects=True)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert count_cases() == 0


def test_a_tampered_screener_is_an_error_on_the_page_never_silently_dropped(app, agency):
    officer = signed_in(app, agency["officer"])
    page = post(
        officer,
        "/help/self",
        {
            "urgency": "routine",
            "contact_method": "here",
            "text": "MARKER-KEPT what I typed",
            "screener": "phq9",
            "screener_answers": "1,1",
        },
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The questionnaire result could not be attached" in page
    assert "MARKER-KEPT what I typed" in page  # everything typed is kept
    assert db.session.scalar(select(Case)) is None  # nothing sent without the officer knowing


def test_a_risky_attached_screener_makes_the_request_a_crisis(app, agency):
    officer = signed_in(app, agency["officer"])
    page = post(
        officer,
        "/help/self",
        {
            "urgency": "routine",
            "contact_method": "here",
            "screener": "phq9",
            "screener_answers": ",".join(["0"] * 8 + ["1"]),
        },
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Please call now" in page
    assert db.session.scalars(select(Case)).one().urgency == "crisis"


def test_a_risky_result_offers_one_tap_to_ask_someone_to_reach_out_now(app, agency):
    anonymous = app.test_client()
    answers = ["0"] * 8 + ["2"]
    result = post(
        anonymous,
        "/screeners/phq9",
        {f"q{i}": a for i, a in enumerate(answers)},
        token_from="/screeners/phq9",
    ).get_data(as_text=True)
    assert result.index('href="tel:988"', result.index("<main")) < result.index("reach")
    assert "Whatever the score, what you said about hurting yourself matters most" in result
    assert "Few signs of depression" not in result  # no reassurance after the risk panel
    sent = post(
        anonymous,
        "/help/reach-out",
        {"screener": "phq9", "screener_answers": ",".join(answers), "named": "0"},
        token_from="/screeners/phq9",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Your receipt code" in sent
    case = db.session.scalars(select(Case)).one()
    assert case.urgency == "crisis"
    assert case.assignee_id is not None  # someone was paged
    named = signed_in(app, agency["officer"])
    post(
        named,
        "/help/reach-out",
        {"screener": "phq9", "screener_answers": ",".join(answers), "named": "1"},
        token_from="/screeners/phq9",
        follow_redirects=True,
    )
    assert db.session.query(Case).filter(Case.kind == "self_referral").count() == 2


def test_receipts_use_their_own_cost_and_old_receipts_keep_theirs(app, agency):
    from wellness.crypto import kdf
    from wellness.referrals import service as referrals
    from wellness.referrals.models import Receipt
    from wellness.referrals.service import SelfReferral

    app.config.update(RECEIPT_ARGON2_TIME_COST=2, RECEIPT_ARGON2_MEMORY_KIB=2048)
    first = referrals.submit_anonymous_referral(SelfReferral([], "first", "routine"))
    # A deployment that lowers the cost below the floor still gets t=1, m=1024 at least.
    app.config.update(RECEIPT_ARGON2_TIME_COST=0, RECEIPT_ARGON2_MEMORY_KIB=8)
    second = referrals.submit_anonymous_referral(SelfReferral([], "second", "routine"))
    stored = {r.case_id: kdf.KdfParams.decode(r.kdf) for r in db.session.scalars(select(Receipt))}
    assert (stored[first.case_id].time_cost, stored[first.case_id].memory_kib) == (2, 2048)
    assert (stored[second.case_id].time_cost, stored[second.case_id].memory_kib) == (1, 1024)
    # Each opens with the cost it was made with, whatever the setting is now.
    app.config.update(RECEIPT_ARGON2_TIME_COST=3, RECEIPT_ARGON2_MEMORY_KIB=4096)
    assert receipt_lookup.open_by_receipt(first.receipt_code)[0] == first.case_id
    assert receipt_lookup.open_by_receipt(second.receipt_code)[0] == second.case_id


def test_a_stale_index_entry_cannot_withdraw_someone_elses_case(app, ctx):
    alice, bob = make_user("alice", Role.OFFICER), make_user("bob", Role.OFFICER)
    make_user("kelly", Role.COUNSELOR)
    bobs, _ = self_referral(bob, text="MARKER-BOB")
    # Alice's index names Bob's case (as after a purge and an id reused).
    alice_reader = reader(alice, as_owner=True)
    keys.write_index(alice, alice_reader.private_key, [{"case": bobs.id, "as": "owner"}])
    db.session.commit()
    with pytest.raises(cases.NotSharedError):
        mine.withdraw(bobs.id, alice_reader)
    assert db.session.get(Case, bobs.id).status == "new"
