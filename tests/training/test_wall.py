"""The training wall (SECURITY.md): nothing in the training record tells anyone who uses the
confidential side, or the reverse. The schema has no path between them, the statistics and
the training pages never read the other side's tables, and a member who goes from a bulletin
to an anonymous request leaves nothing that links the two."""

import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, func, inspect, select, text

from tests.factories import login, post
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.jobs import run_named
from wellness.notifications import mail
from wellness.statistics import releases
from wellness.statistics import service as statistics
from wellness.timeutil import utcnow
from wellness.training import service as training
from wellness.training.models import Bulletin, BulletinAnswer, PolicyAcknowledgment

TRAINING = {
    "policy_versions",
    "policy_acknowledgments",
    "policy_reminders",
    "bulletins",
    "bulletin_answers",
}
# Accounts and the unit tree: who someone is, shared by everything by design. "Who asked" is
# never a reference to them (a case points at its counselor only, SECURITY.md).
IDENTITY = {"users", "units"}
# What every page and job may touch whichever side it serves: the signed-in account and its
# session, the one-time form tokens and held pages (which name no one), and the e-mail outbox
# (an encrypted address and a kind per row, deleted once sent).
SHARED = IDENTITY | {
    "user_roles",
    "login_sessions",
    "authenticator_steps",
    "used_tokens",
    "held_pages",
    "outbox",
}
# The one statement every signed-in page makes of the access log: the number of the newest
# account event about the signed-in person (keys/rows.py: an earlier state of the account,
# put back, is refused). It reads an account fact, filtered by account, and nothing of a case.
ACCOUNT_EVENT = re.compile(
    r"^SELECT max\(access_log\.seq\) AS max_1\s+FROM access_log\s+"
    r"WHERE access_log\.account_id = \S+$",
    re.IGNORECASE,
)


def confidential() -> set[str]:
    """Everything else: the confidential side (or the program around it), whatever is added
    later."""
    import wellness.models  # noqa: F401  every table registered

    return set(db.metadata.tables) - TRAINING - SHARED


def _foreign_keys():
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            yield table.name, fk.column.table.name


def test_the_training_tables_point_only_at_accounts_and_each_other(app):
    assert set(db.metadata.tables) >= TRAINING
    for source, target in _foreign_keys():
        if source in TRAINING:
            assert target in TRAINING | {"users"}, (source, target)
        if target in TRAINING:
            assert source in TRAINING, (source, target)


def test_no_path_joins_the_two_sides_but_through_who_someone_is(app):
    edges: dict[str, set[str]] = {}
    for source, target in _foreign_keys():
        if IDENTITY.isdisjoint({source, target}):
            edges.setdefault(source, set()).add(target)
            edges.setdefault(target, set()).add(source)
    reached, todo = set(TRAINING), list(TRAINING)
    while todo:
        for neighbour in edges.get(todo.pop(), ()):
            if neighbour not in reached:
                reached.add(neighbour)
                todo.append(neighbour)
    assert reached == TRAINING
    # and no training column names anything of the other side
    for name in TRAINING:
        columns = " ".join(db.metadata.tables[name].columns.keys())
        assert not re.search(r"case|referral|check|receipt|incident|release", columns), name


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _tables_in(seen: list[str]) -> set[str]:
    every = set(db.metadata.tables)
    statements = [sql for sql in seen if not ACCOUNT_EVENT.match(sql.strip())]
    return {name for name in every for sql in statements if re.search(rf'\b"?{name}"?\b', sql)}


def _no_statement_joins_the_sides(seen: list[str]) -> None:
    for sql in seen:
        named = _tables_in([sql])
        assert not (named & TRAINING and named & confidential()), sql


def test_the_statistics_never_read_the_training_record(app, agency):
    coordinator = app.test_client()
    login(coordinator, agency["maria"])
    supervisor = app.test_client()
    login(supervisor, agency["sgt"])
    with app.app_context(), statements() as seen:
        releases.make_due(training.today() + timedelta(days=62))
        db.session.commit()
        statistics.facts()
        statistics.working(training.today())
    assert seen
    assert not (_tables_in(seen) & TRAINING), _tables_in(seen) & TRAINING
    with app.app_context(), statements() as seen:
        for client, path in (
            (coordinator, "/coordinator/statistics"),
            (supervisor, "/command/statistics"),
            (supervisor, "/statistics/releases.csv"),
        ):
            assert client.get(path).status_code == 200
    # the pages' header asks whether the viewer's own training has something new; no
    # statement ever names both sides
    _no_statement_joins_the_sides(seen)


def test_the_training_pages_jobs_and_report_never_touch_the_confidential_side(app, agency):
    member, supervisor, manager = app.test_client(), app.test_client(), app.test_client()
    login(member, agency["jordan"])
    login(supervisor, agency["sgt"])
    login(manager, agency["maria"])
    with app.app_context():
        bid = db.session.scalar(select(Bulletin.id).where(Bulletin.published_on.is_not(None)))
        queued_id = training.queued()[0].id
    with app.app_context(), statements() as seen:
        for client, path in (
            (member, "/training/"),
            (member, "/training/policy"),
            (member, "/training/policy/1"),
            (member, "/training/acknowledge"),
            (member, f"/training/bulletins/{bid}"),
            (supervisor, "/training/team"),
            (supervisor, "/training/team.csv"),
            (manager, "/training/manage/bulletins"),
            (manager, f"/training/manage/bulletins/{queued_id}"),
            (manager, "/training/manage/policy"),
        ):
            assert client.get(path).status_code == 200, path
        token = _token(member.get("/training/acknowledge").get_data(as_text=True))
        for path, data in (
            ("/training/acknowledge", {"version": 1}),
            (f"/training/bulletins/{bid}", {"choice": 0}),
        ):
            assert member.post(path, data={"csrf_token": token, **data}).status_code == 302
        token = _token(manager.get("/training/manage/bulletins").get_data(as_text=True))
        manager.post(
            f"/training/manage/bulletins/{queued_id}/move", data={"csrf_token": token, "place": 2}
        )
        # the scheduler's side of it: publication and reminders, and their e-mails going out
        later = utcnow() + timedelta(days=20)
        run_named("training", later)
        mail.send_outbox(later, mail.ConsoleMailer())
    touched = _tables_in(seen)
    assert touched | {"policy_reminders"} >= TRAINING
    assert not (touched & confidential()), touched & confidential()
    _no_statement_joins_the_sides(seen)


def _rows_per_table() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()  # noqa: S608
            for name in inspect(conn).get_table_names()
        }


def _token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_member_goes_from_a_bulletin_on_suicide_to_an_anonymous_request_unlinked(app, agency):
    with app.app_context():
        counselor_id = agency["kelly"].id
        suicide = next(b for b in training.queued() if "suicidal" in b.title)
        suicide.published_on = training.today() - timedelta(days=1)
        db.session.commit()
        bid, member_id, unit_id = suicide.id, agency["jordan"].id, agency["jordan"].unit_id
    member = app.test_client()
    signed_in = login(member, agency["jordan"])
    ack_page = member.get(signed_in.headers["Location"]).get_data(as_text=True)
    member.post("/training/acknowledge", data={"csrf_token": _token(ack_page), "version": 1})

    page = member.get(f"/training/bulletins/{bid}")
    html = page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        before = _rows_per_table()
    member.post(f"/training/bulletins/{bid}", data={"csrf_token": _token(html), "choice": 0})
    with app.app_context():
        after = _rows_per_table()
    # answering a bulletin about suicide records that they answered, and nothing else at all
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {
        "bulletin_answers": 1
    }

    # its way to ask is the public page itself: nothing added to the address
    link = re.search(r'href="([^"]*)">Ask the peer team anonymously', html).group(1)
    assert link == "/help/anonymous"
    form = member.get(link)
    assert form.status_code == 200
    with app.app_context():
        before = _rows_per_table()
    sent = post(
        member,
        link,
        {
            "urgency": "routine",
            "topics": ["stress"],
            "text": "MARKER-WALL not sleeping",
            "supporter_type": "peer",
            "unit": unit_id,
        },
        token_from=link,
    )
    assert sent.status_code == 302
    with app.app_context():
        after = _rows_per_table()
        grew = {t for t in after if after[t] != before[t]}
        assert "cases" in grew
        assert not (grew & TRAINING)
        case = db.session.scalars(select(Case)).one()
        assert case.assignee_id == counselor_id != member_id
        # the training record still says only: acknowledged version 1, answered one bulletin
        acks = db.session.execute(select(PolicyAcknowledgment.__table__)).all()
        answers = db.session.execute(select(BulletinAnswer.__table__)).all()
        assert [tuple(r) for r in answers] == [(member_id, bid, training.today())]
        assert len(acks) == 1
        assert acks[0].user_id == member_id
        # and no row of the confidential side refers to the member
        for table in db.metadata.sorted_tables:
            if table.name in confidential():
                for fk in table.foreign_keys:
                    if fk.column.table.name == "users":
                        column = fk.parent
                        hits = db.session.scalar(
                            select(func.count()).select_from(table).where(column == member_id)
                        )
                        assert hits == 0, (table.name, column.name)
