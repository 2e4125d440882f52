"""Attacker: a command-staff account (a curious chief) doing arithmetic on the program figures
it can fetch, across tables, views and time; a mail-server administrator reading notices; and
anyone going through the database after a case was destroyed."""

from datetime import timedelta
from email import message_from_bytes

from sqlalchemy import inspect, select, text

from tests.factories import login, make_user, reader, self_referral
from wellness.accounts.models import Role
from wellness.audit import service as audit
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.cases.retention import purge_closed_cases
from wellness.checkins import jobs
from wellness.checkins import service as checkins
from wellness.extensions import db
from wellness.notifications import mail
from wellness.referrals import mine
from wellness.statistics import releases
from wellness.timeutil import frozen_at, utcnow


def chief(app):
    client = app.test_client()
    login(client, make_user("chief", Role.OFFICER, Role.SUPERVISOR))
    return client


def fetch_all(client) -> tuple[bytes, str]:
    """Everything a command account can fetch about the program."""
    csv = client.get("/statistics/releases.csv").get_data()
    page = client.get("/command/statistics").get_data(as_text=True)
    main = page[page.index("<main") : page.index("</main>")]
    return csv, main


def test_nothing_a_chief_can_fetch_moves_when_a_request_is_added_until_the_next_release(
    app, agency_people
):
    """Across time: take the figures, add a request (to a month already released, and to the
    month in progress), take them again: byte for byte the same."""
    officer = agency_people["officer"]
    previous = utcnow().replace(day=1) - timedelta(days=2)
    with frozen_at(previous):
        for _ in range(9):
            self_referral(officer, text="MARKER")
    releases.make_due(utcnow().date())
    client = chief(app)
    before = fetch_all(client)
    with frozen_at(previous):
        self_referral(officer, urgency="crisis", text="MARKER-LATE")  # into a released month
    self_referral(officer, urgency="crisis", text="MARKER-NOW")  # into the month in progress
    releases.make_due(utcnow().date())  # the scheduler runs again: nothing new has ended
    assert fetch_all(client) == before
    # The month in progress is released once it ends, and the old ones stay as they were.
    next_month = (utcnow().replace(day=1) + timedelta(days=40)).date()
    made = releases.make_due(next_month)
    assert made == [utcnow().strftime("%Y-%m")]
    after_csv = releases.to_csv(releases.published(next_month))  # what the CSV route serves
    old_rows = before[0].decode().splitlines()[2:]  # the eleven months that stayed in view
    assert all(row in after_csv for row in old_rows)


def test_every_view_and_format_shows_the_same_release_and_no_exact_number(app, agency_people):
    """Across views: the command page, its CSV, the coordinator's CSV and the coordinator's
    page all show the stored release; the exact working numbers stay on one page."""
    officer = agency_people["officer"]
    previous = utcnow().replace(day=1) - timedelta(days=2)
    with frozen_at(previous):
        for urgency in ["routine"] * 8 + ["crisis"] * 2:
            self_referral(officer, urgency=urgency, text="MARKER")
    releases.make_due(utcnow().date())
    stored = {r.period: r.figures for r in releases.published(utcnow().date())}
    figures = stored[previous.strftime("%Y-%m")]
    command = chief(app)
    csv, page = fetch_all(command)
    lead = app.test_client()
    login(lead, agency_people["coordinator"])
    assert lead.get("/statistics/releases.csv").get_data() == csv
    row = next(r for r in csv.decode().splitlines() if r.startswith(previous.strftime("%Y-%m")))
    shown = releases.rules.shown
    assert row.split(",")[2] == shown(figures["total"])
    assert row.split(",")[7:10] == [
        shown(figures["by_urgency"][u]) for u in releases.rules.URGENCIES
    ]
    # the subtraction that broke suppression gives back the release, never the truth
    total = figures["total"]
    parts = [figures["by_urgency"][u] for u in releases.rules.URGENCIES]
    assert total == sum(parts)  # consistent: nothing more to learn from the margins
    coordinator_page = lead.get("/coordinator/statistics").get_data(as_text=True)
    assert "<td>10</td>" in coordinator_page  # the exact working figure, for the coordinator
    assert "Your working figures" not in page


def test_every_notice_e_mail_says_the_same_and_names_nothing(app, agency_people):
    """A mail administrator reads the outbox: a crisis page, a check-in reminder and an
    account notice all look alike, from a neutral sender."""
    from wellness.accounts import service as accounts

    sent = []

    class Catch:
        def send(self, message):
            sent.append(message_from_bytes(message.as_bytes()))

    for person in ("counselor", "counselor2", "officer", "coordinator"):
        accounts.set_notice_address(agency_people[person], f"{person}@example.org")
    db.session.commit()
    case, _ = self_referral(agency_people["officer"], urgency="crisis", text="MARKER-CRISIS")
    holder = next(p for p in agency_people.values() if p.id == case.assignee_id)
    checkins.schedule(case.id, reader(holder), [utcnow() + timedelta(minutes=5)])
    with frozen_at(utcnow() + timedelta(minutes=10)):
        jobs.dispatch_due_checkins(utcnow())
    mail.send_outbox(utcnow(), Catch())
    assert len(sent) >= 3
    bodies = {m.get_payload() for m in sent}
    assert len(bodies) == 1  # one text for every kind of notice
    text = bodies.pop().lower()
    for word in ("crisis", "check-in", "referral", "case", "peer", "counsel", "marker"):
        assert word not in text
    assert {m["From"] for m in sent} == {"Notices <notices@localhost>"}
    assert {m["Subject"] for m in sent} == {"Something is waiting for you"}


def test_a_calendar_entry_names_nothing_and_its_uid_is_not_the_check_in(app, agency_people):
    officer = agency_people["officer"]
    case, _ = self_referral(officer, text="MARKER")
    holder = next(p for p in agency_people.values() if p.id == case.assignee_id)
    checkin = checkins.schedule(case.id, reader(holder), [utcnow() + timedelta(days=1)])[0]
    client = app.test_client()
    login(client, officer)
    first = client.get(f"/me/check-ins/{checkin.id}.ics").get_data(as_text=True)
    again = client.get(f"/me/check-ins/{checkin.id}.ics").get_data(as_text=True)
    uid = next(line for line in first.splitlines() if line.startswith("UID:"))
    assert uid in again  # stable for the person: a calendar updates, does not duplicate
    assert f"checkin-{checkin.id}" not in first
    assert "SUMMARY:Reminder" in first
    assert "check" not in first.lower()  # no word of what it is, anywhere in the entry


def every_value_in_tables_mentioning_cases() -> list[tuple[str, str, object]]:
    out = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                for column, value in row._mapping.items():
                    out.append((table, column, value))
    return out


def test_a_destroyed_case_leaves_nothing_that_points_at_it(app, agency_people):
    """Withdrawn, and destroyed by retention: no row (notifications, access log, events,
    outbox, keys) names the case or anything derived from it; the log still verifies."""
    officer = agency_people["officer"]
    for how in ("withdraw", "retention"):
        case, _ = self_referral(officer, text=f"MARKER-{how}")
        holder = next(p for p in agency_people.values() if p.id == case.assignee_id)
        cases.open_case(case.id, reader(holder), "case page")
        cases.open_case(case.id, reader(officer, as_owner=True), "my referrals page")
        cases.post_message(case.id, reader(holder), "MARKER reply")
        derived = [case.content, case.times, case.log_key]
        log_ref = audit.case_reference(case.id)
        case_id = case.id
        if how == "withdraw":
            mine.withdraw(case_id, reader(officer, as_owner=True))
        else:
            lifecycle.close(case_id, reader(holder), "resolved")
            purge_closed_cases(utcnow() + timedelta(days=400), 365)
        db.session.expire_all()
        assert db.session.get(Case, case_id) is None
        for table, column, value in every_value_in_tables_mentioning_cases():
            if "case" in column and column != "case_index":
                assert value != case_id, f"{table}.{column} still names the case ({how})"
            if isinstance(value, bytes | str):
                assert not any(value == d for d in derived), f"{table}.{column} ({how})"
        # The log keeps its entries (and verifies), naming the case by a value whose key is gone:
        entries = db.session.scalars(select(audit.AccessLogEntry.case_ref)).all()
        assert log_ref in entries
        assert audit.case_reference(case_id) != log_ref  # cannot be worked out again
        db.session.rollback()
    assert audit.verify() == []
