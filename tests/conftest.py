"""Fixtures: every database test runs on SQLite and on the machine's real PostgreSQL."""

from __future__ import annotations

import contextvars
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import leakcheck
from wellness import create_app
from wellness.checkins.service import ensure_default_templates
from wellness.extensions import db
from wellness.keys import service as keys

PG_ADMIN_URL = os.environ.get("WELLNESS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"

# Fast hashing in tests only; test_passwords checks the production defaults separately.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}


def pytest_configure(config: pytest.Config) -> None:
    leakcheck.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The whole run's logs must not hold a single value any test typed into a form."""
    leaked, searched, chars = leakcheck.findings()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and searched:
        reporter.write_line(
            f"leak check: {searched} typed values searched for in {chars} characters of logs, "
            f"{len(leaked)} found"
        )
    if leaked:
        if reporter is not None:
            for finding in leaked:
                reporter.write_line(f"LEAKED INTO LOGS: {finding}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")


def create_pg_database(prefix: str = "wellness_test") -> str:
    """Create an empty, uniquely named database and return its URL."""
    _postgres_or_skip()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """One PostgreSQL database for the run; tables are emptied after each test."""
    url = create_pg_database()
    yield url
    drop_pg_database(url)


class IsolatedClient(FlaskClient):
    """Each request runs in its own context, as in a real server.

    Flask reuses an app context that a test has pushed, which would share ``g`` and the database
    session between the test and its requests and hide bugs; a fresh contextvars context avoids it.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(tmp_path: Path, database_url: str, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "RATELIMIT_STORAGE_URL": "memory://",
        **FAST_ARGON2,
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = IsolatedClient
    # First of all before_request hooks: a request that CSRF, rate limits or the account
    # checks refuse still has what was typed into it remembered.
    app.before_request_funcs.setdefault(None, []).insert(0, leakcheck.record_form)
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the whole schema, made once per run: each test starts from a copy
    (building the schema took a fifth of a second a test)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = make_app(folder, f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "test.db")
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


def empty_pg_tables() -> None:
    """Every table emptied and every id sequence restarted, in one round trip. DELETE, not
    TRUNCATE: for tables this small it is ten times faster (TRUNCATE rewrites each table's
    files). What it leaves are dead row versions, which a test reading the engine's own
    bookkeeping tells apart by their transaction (tests/attacks/test_engine_bookkeeping.py)."""
    global _EMPTY_SQL
    with db.engine.begin() as conn:
        if _EMPTY_SQL is None:
            sequences = conn.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            ).scalars()
            _EMPTY_SQL = ";".join(
                [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]  # noqa: S608
                + [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
            )
        conn.exec_driver_sql(_EMPTY_SQL)


_EMPTY_SQL: str | None = None


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(tmp_path: Path, database_url: str, app_overrides: dict[str, object]) -> Iterator[Flask]:
    app = make_app(tmp_path, database_url, **app_overrides)
    with app.app_context():
        db.create_all()
        keys.initialise_instance()
        app.config["TEST_RECOVERY_CODE"] = keys.create_recovery_key()
        ensure_default_templates()  # as `init` makes them
    yield app
    with app.app_context():
        db.session.remove()
        if database_url.startswith("postgresql"):
            empty_pg_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context, for calling services and factories directly."""
    with app.app_context():
        yield
