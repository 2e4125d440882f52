"""An app on an empty database (SQLite and PostgreSQL), for migrations to build."""

import pytest

from tests.conftest import create_pg_database, drop_pg_database, make_app
from wellness.extensions import db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        yield make_app(tmp_path, f"sqlite:///{tmp_path / 'migrate.db'}")
        return
    url = create_pg_database("wellness_migrate")
    app = make_app(tmp_path, url)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_pg_database(url)
