import stat

from wellness import create_app


def test_layers_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('AGENCY_NAME = "From File"\nLOGIN_MAX_FAILURES = 7\n')
    monkeypatch.setenv("WELLNESS_LOGIN_MAX_FAILURES", "9")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["AGENCY_NAME"] == "From File"  # instance file beats the default
    assert app.config["LOGIN_MAX_FAILURES"] == 9  # environment beats the file
    assert app.config["IDLE_TIMEOUT_STAFF_MINUTES"] == 15  # untouched default


def test_database_url_defaults_to_sqlite_in_instance_and_accepts_postgres(tmp_path, monkeypatch):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/wellness.db"
    monkeypatch.setenv("WELLNESS_DATABASE_URL", "postgresql://u@db:5432/w")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/w"


def test_secret_key_is_generated_once_owner_only(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_bytes()
    assert len(first.config["SECRET_KEY"]) == 32


def test_safe_defaults(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024
    assert app.config["DEBUG"] is False


def test_a_mistyped_time_zone_stops_the_start_with_the_reason(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="not a time zone name"):
        create_app({"TIMEZONE": "America/Chicgo", "INSTANCE_PATH": str(tmp_path)})


def test_training_settings_out_of_range_stop_the_start_with_the_reason(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="BULLETIN_HOUR"):
        create_app({"BULLETIN_HOUR": 24, "INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ValueError, match="POLICY_ACK_DAYS"):
        create_app({"POLICY_ACK_DAYS": 0, "INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ValueError, match="not a whole number"):
        create_app({"BULLETIN_HOUR": "seven", "INSTANCE_PATH": str(tmp_path)})
    # as read from instance/config.py or the environment: a string of digits is a number
    app = create_app({"BULLETIN_HOUR": "07", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["BULLETIN_HOUR"] == 7


def test_over_https_the_session_cookie_is_host_only(tmp_path):
    app = create_app({"HTTPS": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-wellness_session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
