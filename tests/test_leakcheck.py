"""The suite-wide leak check finds what it is meant to find (see tests/leakcheck.py)."""

import logging
import secrets

from tests import leakcheck


def test_a_typed_value_in_the_logs_is_found_and_generic_words_are_not_searched():
    log = "wellness ERROR could not route: I have not slept in days\nwerkzeug INFO GET /cases/ 200"
    assert leakcheck.leaks(log, {"I have not slept in days", "nothing like it"}) == [
        "I have not slept in days"
    ]
    before = set(leakcheck._typed)
    leakcheck.remember(["routine", "12345678", "abc", "  a long enough value  "])
    assert set(leakcheck._typed) - before <= {"a long enough value"}
    assert "routine" not in leakcheck._typed


def test_every_logger_reaches_the_check_at_info_and_above():
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, leakcheck._KeepEverything)]
    assert len(handlers) == 1
    assert logging.getLogger("wellness").isEnabledFor(logging.INFO)
    assert logging.getLogger("werkzeug").isEnabledFor(logging.INFO)


def test_fuzzed_requests_are_not_taken_for_typed_content(app):
    client = app.test_client()
    word = f"fuzzed-constant-{secrets.token_hex(4)}"
    client.post("/login", data={"username": word}, headers={leakcheck.FUZZ_HEADER: "1"})
    assert word not in leakcheck._typed
    client.post("/login", data={"username": word})  # refused (no CSRF token), still remembered
    assert word in leakcheck._typed
