"""Attacker: whoever finds an officer's phone unlocked, the browser still open."""

import re
from datetime import timedelta

from tests.factories import login, post
from wellness.timeutil import frozen_at, utcnow


def test_after_the_idle_limit_the_phone_opens_nothing(app, agency_people):
    officer = agency_people["officer"]
    start = utcnow()
    with frozen_at(start):
        phone = app.test_client()
        login(phone, officer)
        post(
            phone,
            "/help/self",
            {"urgency": "routine", "topics": ["stress"], "text": "MARKER-PHONE"},
            token_from="/help/self",
            follow_redirects=True,
        )
        assert "MARKER-PHONE" in phone.get(_first_request(phone)).get_data(as_text=True)
    with frozen_at(start + timedelta(minutes=31)):
        for path in ("/me/referrals", "/me/check-ins", "/account", "/me/export.json"):
            response = phone.get(path)
            assert response.status_code == 302, path
            assert "/login" in response.headers["Location"]


def test_a_receipt_code_is_never_left_where_the_phone_would_show_it_again(app, agency_people):
    phone = app.test_client()
    sent = post(
        phone,
        "/help/anonymous",
        {"urgency": "routine", "topics": ["stress"], "text": "MARKER-ANON", "unit": 0},
        token_from="/help/anonymous",
        follow_redirects=True,
    ).get_data(as_text=True)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", sent).group(0)
    assert "no-store" in phone.get("/help/").headers["Cache-Control"]  # Back re-asks the server
    with phone.session_transaction() as cookie:
        assert code not in repr(dict(cookie))
    for path in ("/", "/help/", "/receipt", "/help/anonymous"):
        assert code not in phone.get(path).get_data(as_text=True)


def _first_request(client) -> str:
    page = client.get("/me/referrals").get_data(as_text=True)
    return re.search(r'href="(/me/referrals/\d+)"', page).group(1)
