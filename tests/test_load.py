"""Load: gunicorn on PostgreSQL, 50 concurrent clients x 20 anonymous referrals each.

Every referral must be stored exactly once (1,000 cases, each opened by its own receipt code
and holding the words that were sent with it), none lost, no 5xx, and the server's log must
not contain a word of what was sent.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import psycopg
import pytest

from tests.conftest import create_pg_database, drop_pg_database, make_app
from tests.servers import app_env, flask, start_gunicorn
from wellness.cases import service as cases
from wellness.extensions import db
from wellness.referrals import receipt_lookup

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLIENTS = 50
EACH = 20
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'<p class="receipt-code"><code>([^<]+)</code>')


def words(client: int, n: int) -> str:
    return f"load-marker-{client:02d}-{n:02d} the words of one officer's request"


class Officer(threading.Thread):
    """One browser: gets the form once (session and CSRF token), then sends EACH requests."""

    def __init__(self, base: str, number: int, start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.base, self.number, self.start_line = base, number, start
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.statuses: list[int] = []
        self.receipts: dict[str, str] = {}
        self.error: BaseException | None = None

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def run(self) -> None:
        try:
            status, page = self.request("/help/anonymous")
            token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
            self.start_line.wait(timeout=120)
            for n in range(EACH):
                text = words(self.number, n)
                form = {"csrf_token": token, "urgency": "routine", "unit": "0", "text": text}
                status, page = self.request("/help/anonymous", form)
                self.statuses.append(status)
                match = RECEIPT.search(page)
                if match:
                    self.receipts[match.group(1)] = text
        except BaseException as exc:  # noqa: BLE001  reported by the test
            self.error = exc


@pytest.fixture
def served(tmp_path):  # type: ignore[no-untyped-def]
    url = create_pg_database("wellness_load")
    env = app_env(tmp_path / "instance", url)
    flask(["init"], env)  # migrations, server key and recovery key, as on a real first start
    server = start_gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=4)
    yield server, url, tmp_path
    server.stop()
    drop_pg_database(url)


def test_fifty_clients_twenty_referrals_each_all_stored_exactly_once(served):
    server, url, tmp_path = served
    start = threading.Barrier(CLIENTS)
    officers = [Officer(server.url, i, start) for i in range(CLIENTS)]
    for officer in officers:
        officer.start()
    for officer in officers:
        officer.join(timeout=600)
    assert [o.error for o in officers if o.error] == []
    statuses = Counter(s for o in officers for s in o.statuses)
    assert statuses == {200: CLIENTS * EACH}, statuses  # no 5xx, no 429, none dropped

    sent = {code: text for o in officers for code, text in o.receipts.items()}
    assert len(sent) == CLIENTS * EACH  # one distinct receipt per referral
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    assert stored == CLIENTS * EACH  # none lost, none twice

    # Each receipt opens its own case, holding exactly the words sent with it.
    app = make_app(tmp_path, url, INSTANCE_PATH=str(tmp_path / "instance"))
    case_ids = set()
    with app.app_context():
        for code, text in sent.items():
            case_id, reader = receipt_lookup.open_by_receipt(code)
            assert cases.open_case_page(case_id, reader, "load test").content["text"] == text
            case_ids.add(case_id)
            db.session.remove()
        db.engine.dispose()
    assert len(case_ids) == CLIENTS * EACH

    log = server.log_text()
    assert not re.search(r"\b(GET|POST|HEAD) \S+ 5\d\d ", log)  # no request answered 5xx
    assert "load-marker" not in log
    assert "Traceback" not in log
    assert log.count("POST /help/anonymous 302") == CLIENTS * EACH  # each answered by a redirect
    assert log.count("GET /help/sent 200") == CLIENTS * EACH  # to the page showing it once
