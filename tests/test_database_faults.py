"""The database unreachable, before or during a request: a calm 503 page and no partial write.

The mid-request case is a real network failure: the app talks to PostgreSQL through a TCP proxy
that the test cuts while the request is writing, so the connection dies under the transaction.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event

from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.factories import csrf_token
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.program import crisis

MARKER = "Fault-marker: I keep seeing the crash every night"


class CuttableProxy:
    """Forwards TCP to PostgreSQL until ``cut()``: then every connection drops, new ones fail."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_event = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_event.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            while not self.cut_event.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.close()

    def cut(self) -> None:
        self.cut_event.set()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.cut_event.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def assert_calm_503(response) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in body
    assert "check whether your last action went through" in body
    assert 'href="tel:988"' in body  # someone in crisis still sees where to turn
    assert "555-0199" in body  # the agency's own on-call number, from instance/
    assert MARKER not in body
    assert "Traceback" not in body
    assert "psycopg" not in body.lower()


def test_database_down_from_the_start_gives_a_calm_503(tmp_path, caplog):
    app = make_app(tmp_path, "postgresql://nobody@127.0.0.1:1/none", DB_CONNECT_TIMEOUT=1)
    crisis.save(app.instance_path, crisis.CrisisNumbers("Peer on-call", "555-0199", ""))
    client = app.test_client()
    assert_calm_503(client.get("/help/anonymous"))
    token = csrf_token(client, "/login")  # the sign-in page itself needs no database
    form = {"username": "jordan", "password": MARKER, "csrf_token": token}
    assert_calm_503(client.post("/login", data=form))
    assert client.get("/crisis").status_code == 200
    assert client.get("/healthz").status_code == 200  # the process is alive
    assert_calm_503(client.get("/readyz"))  # but not ready: a load balancer sends no one here
    assert MARKER not in caplog.text
    assert "database unavailable: sqlalchemy.exc.OperationalError" in caplog.text


@pytest.fixture
def proxied_app(tmp_path) -> Iterator[tuple[object, CuttableProxy, str]]:  # type: ignore[no-untyped-def]
    url = create_pg_database("wellness_fault")
    proxy = CuttableProxy(("127.0.0.1", 5432))
    proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    app = make_app(tmp_path, proxied, DB_CONNECT_TIMEOUT=2)
    with app.app_context():
        db.create_all()
        keys.initialise_instance()
        keys.create_recovery_key()
    crisis.save(app.instance_path, crisis.CrisisNumbers("Peer on-call", "555-0199", ""))
    yield app, proxy, url
    with app.app_context():
        db.engine.dispose()
    proxy.close()
    drop_pg_database(url)


def row_counts(url: str) -> dict[str, int]:
    tables = [
        "cases",
        "case_keys",
        "messages",
        "case_events",
        "notifications",
        "outbox",
        "receipts",
        "access_log",
    ]
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


@pytest.mark.postgres
def test_database_lost_in_the_middle_of_a_referral_saves_nothing(proxied_app, caplog):
    app, proxy, url = proxied_app
    client = app.test_client()
    form = {
        "urgency": "routine",
        "unit": "0",
        "text": MARKER,
        "csrf_token": csrf_token(client, "/help/anonymous"),
    }
    seen: list[str] = []

    def cut_after_the_case_row(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement.split("(")[0].strip())
        if (
            any(s.startswith("INSERT INTO cases") for s in seen[:-1])
            and not proxy.cut_event.is_set()
        ):
            proxy.cut()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", cut_after_the_case_row)
    try:
        response = client.post("/help/anonymous", data=form)
    finally:
        event.remove(engine, "before_cursor_execute", cut_after_the_case_row)
    assert proxy.cut_event.is_set(), seen  # the cut happened while the request was writing
    assert_calm_503(response)
    assert MARKER not in caplog.text

    proxy.restore()
    assert set(row_counts(url).values()) == {0}, "a partial write survived"
    # Back up: the dead pooled connection is replaced and the same request now succeeds.
    form["csrf_token"] = csrf_token(client, "/help/anonymous")
    response = client.post("/help/anonymous", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert "receipt code" in response.get_data(as_text=True)
    counts = row_counts(url)
    assert counts["cases"] == 1
    assert counts["case_keys"] >= 1


@pytest.mark.postgres
def test_signed_in_people_get_the_calm_page_and_the_crisis_numbers_too(proxied_app, caplog):
    """The account lookup needs the database: with it gone, a signed-in officer must still get
    the 503 page and /crisis, not a bare error (nothing on those pages looks at the account)."""
    from tests.factories import login, make_user
    from wellness.accounts.models import Role

    app, proxy, url = proxied_app
    client = app.test_client()
    with app.app_context():
        login(client, make_user("jordan", Role.OFFICER))
        db.session.remove()
    assert client.get("/me/referrals").status_code == 200
    proxy.cut()
    assert_calm_503(client.get("/me/referrals"))
    assert_calm_503(client.get("/"))
    crisis_page = client.get("/crisis")
    assert crisis_page.status_code == 200
    assert "555-0199" in crisis_page.get_data(as_text=True)
    proxy.restore()
    assert client.get("/me/referrals").status_code == 200  # still signed in afterwards
    assert "jordan" not in caplog.text.lower()


@pytest.mark.postgres
def test_database_lost_while_an_officer_writes_saves_neither_message_nor_notice(proxied_app):
    """An officer's message and the counselor's notice of it are one transaction."""
    from tests.factories import login, make_user, reader
    from wellness.accounts.models import Role
    from wellness.referrals import service as referrals
    from wellness.referrals.service import SelfReferral

    app, proxy, url = proxied_app
    with app.app_context():
        officer = make_user("jordan", Role.OFFICER)
        make_user("kelly", Role.COUNSELOR)
        case_id = referrals.submit_self_referral(
            SelfReferral([], "first words", "routine"), reader(officer, as_owner=True)
        ).case_id
        client = app.test_client()
        login(client, officer)
        db.session.remove()
    page = f"/me/referrals/{case_id}"
    form = {"body": MARKER, "csrf_token": csrf_token(client, page)}  # reading it is logged
    before = row_counts(url)

    def cut_after_the_message(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO notifications") and not proxy.cut_event.is_set():
            proxy.cut()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", cut_after_the_message)
    try:
        response = client.post(f"{page}/message", data=form)
    finally:
        event.remove(engine, "before_cursor_execute", cut_after_the_message)
    assert proxy.cut_event.is_set()
    assert_calm_503(response)
    proxy.restore()
    assert row_counts(url) == before  # no message without its notice, no notice alone
    response = client.post(f"{page}/message", data=form)
    assert response.status_code == 302
    after = row_counts(url)
    assert after["messages"] == before["messages"] + 1
    assert after["notifications"] == before["notifications"] + 1


def test_a_missing_table_is_a_500_to_fix_not_a_503_to_wait_out(tmp_path, caplog):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: no migration
    response = app.test_client().get("/help/anonymous")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Retry-After" not in response.headers
    assert "no such table" not in body
    assert "database error: sqlalchemy.exc.OperationalError" in caplog.text
