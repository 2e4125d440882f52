"""No leaks, across the whole suite: every form value a test submits is searched for in every
log record the suite produced.

``record_form`` runs before each request of every app the tests build (test client and live
browser server alike) and keeps what people typed. A root log handler keeps every record, with
its traceback. At the end of the run ``pytest_sessionfinish`` (in conftest) fails the run if any
typed value shows up in the logs: case content, names, passwords, receipt codes.
"""

from __future__ import annotations

import functools
import io
import logging
import threading

# Values too short or too generic to mean anything when found in a log line.
MIN_LENGTH = 6
NOT_CONTENT = frozenset(
    {
        "routine",
        "crisis",
        "officer",
        "supervisor",
        "counselor",
        "coordinator",
        "admin",
        "active",
        "referred_out",
        "resolved",
        "withdrawn",
        "critical_incident",
        "anonymous",
        "clinician",
        "chaplain",
        "English",
    }
)

# Loggers of the tests' own peers, not of the app: aiosmtpd is the SMTP server the mail tests
# deliver to, and a recipient's mail server knows the recipient's address by definition.
PEERS = ("mail.log", "mail.debug")

# Sent by tests/test_fuzz_forms.py on its requests.
FUZZ_HEADER = "X-Test-Fuzz"

_lock = threading.Lock()
_typed: dict[str, str] = {}  # value -> the path it was typed at
_buffer = io.StringIO()


class _KeepEverything(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.name in PEERS:
            return
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001  a record that cannot be formatted is still searched
            text = f"{record.msg!r} {record.args!r}"
        with _lock:
            _buffer.write(text + "\n")


def install() -> None:
    """Keep every record at INFO and above, from every logger, for the rest of the run."""
    handler = _KeepEverything(level=logging.INFO)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # SQLAlchemy's INFO level is its echo of every statement: not something the app logs.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


def remember(values: list[str], where: str = "") -> None:
    """Remember typed values worth searching for."""
    worth = {
        v.strip()
        for v in values
        if len(v.strip()) >= MIN_LENGTH and v.strip() not in NOT_CONTENT and not v.isdigit()
    }
    with _lock:
        for value in worth:
            _typed.setdefault(value, where)


@functools.cache
def free_text_fields() -> frozenset[str]:
    """Names of the app's form fields a person types into (not choices or hidden values)."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms import HiddenField, StringField

    import wellness

    for module in pkgutil.walk_packages(wellness.__path__, "wellness."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    names = {"text"}  # the check-in answer box, written by hand in its template
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack += form.__subclasses__()
        for name, attr in vars(form).items():
            kind = getattr(attr, "field_class", None)
            if kind and issubclass(kind, StringField) and not issubclass(kind, HiddenField):
                names.add(name)
    return frozenset(names)


def record_form() -> None:
    """A ``before_request`` hook: remember what was typed into this request's free-text boxes."""
    from flask import request

    # Fuzzing draws its text from string constants in the code (Hypothesis mines them), so
    # its values are words like "revision" that log lines contain by right: not typed content.
    # (A file upload is not read here: the photo form's own, larger limit applies to it later.)
    multipart = request.mimetype == "multipart/form-data"
    if request.method == "POST" and FUZZ_HEADER not in request.headers and not multipart:
        typed = free_text_fields()
        remember([v for k, v in request.form.items(multi=True) if k in typed], request.path)


def leaks(log_text: str, typed: set[str] | dict[str, str]) -> list[str]:
    """Typed values that appear in the log text."""
    return sorted(v for v in typed if v in log_text)


def findings() -> tuple[list[str], int, int]:
    """(what leaked, with where it was typed and the log line; values searched; log size)."""
    with _lock:
        text = _buffer.getvalue()
        typed = dict(_typed)
    found = []
    for value in leaks(text, typed):
        line = next(line for line in text.splitlines() if value in line)
        found.append(f"{value[:60]!r} typed at {typed[value]}, logged as: {line[:200]}")
    return found, len(typed), len(text)
