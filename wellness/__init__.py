"""wellness: a confidential peer-support and wellness referral platform."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from wellness import config as settings

ROOT = Path(__file__).resolve().parent.parent


class BoundedInt(IntegerConverter):
    """Ids in URLs fit the database's integer columns: a longer number is a 404, not a 500."""

    def __init__(self, map, **kwargs) -> None:  # type: ignore[no-untyped-def]  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, **kwargs)


class WellnessFlask(Flask):
    def log_exception(self, exc_info) -> None:  # type: ignore[no-untyped-def]
        # Flask would log the message and traceback text, which may quote what someone typed.
        from wellness.logsafe import describe_exception

        self.logger.error("unhandled error: %s", describe_exception(exc_info[1]))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and CLI. Starts nothing in the background."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get(
        "WELLNESS_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = WellnessFlask(
        "wellness",
        instance_path=str(Path(instance_path).resolve()),
        template_folder=str(ROOT / "templates"),
    )
    settings.load(app.config, app.instance_path, config)
    app.url_map.converters["int"] = BoundedInt
    _secure_instance(app)
    _load_secret_key(app)
    _init_extensions(app)
    _register_blueprints(app)
    if app.config["TRUSTED_PROXIES"]:
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


def _secure_instance(app: Flask) -> None:
    """Everything this process writes is owner-only (the database, its journal, keys,
    backups), and the instance folder is made so whatever the umask was (SECURITY.md)."""
    from wellness.crypto.keyfiles import lock_down

    os.umask(0o077)
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    lock_down(app.instance_path)


def _load_secret_key(app: Flask) -> None:
    from wellness.crypto.keyfiles import read_or_create_random_key

    if not app.config.get("SECRET_KEY"):
        path = os.path.join(app.instance_path, "secret_key")
        app.config["SECRET_KEY"] = read_or_create_random_key(path, 32)


def _upload_limits(app: Flask) -> None:
    """The one form that takes a file (a profile photo) may be larger than the app-wide limit
    (MAX_CONTENT_LENGTH); set before anything reads the request's body."""
    from flask import request

    from wellness.directory.photos import MAX_UPLOAD_BYTES

    @app.before_request
    def larger_upload_for_photos() -> None:
        if request.endpoint == "directory.profile_photo":
            request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024


def _init_extensions(app: Flask) -> None:
    from wellness import headers, models  # noqa: F401  (models: every table registered)
    from wellness.accounts.passwords import make_hasher
    from wellness.audit import service as audit
    from wellness.extensions import csrf, db, limiter, login_manager, migrate
    from wellness.keys import rows
    from wellness.training import emails  # noqa: F401  (its e-mails' writers, for the outbox)

    db.init_app(app)
    rows.listen()  # the MAC of every account, role and session row, written at each flush
    audit.listen()  # the access log's head, written outside the database at each commit
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    _upload_limits(app)  # before the CSRF check, which reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = None  # server-side sessions; no IP hash in the cookie
    app.extensions["wellness_password_hasher"] = make_hasher(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_KIB"],
        app.config["ARGON2_PARALLELISM"],
    )
    headers.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from wellness import cli
    from wellness.accounts.routes import bp as auth_bp
    from wellness.admin.routes import bp as admin_bp
    from wellness.cases.routes import bp as cases_bp
    from wellness.directory.routes import bp as directory_bp
    from wellness.errors.routes import bp as errors_bp
    from wellness.keys.routes import bp as keys_bp
    from wellness.library.routes import bp as library_bp
    from wellness.main import once
    from wellness.main.routes import bp as main_bp
    from wellness.notifications.routes import bp as push_bp
    from wellness.program.routes import bp as program_bp
    from wellness.program.team import bp as team_bp
    from wellness.referrals.routes import bp as referrals_bp
    from wellness.statistics.routes import bp as statistics_bp
    from wellness.training.manage import bp as training_manage_bp
    from wellness.training.routes import bp as training_bp

    blueprints = (
        errors_bp,
        main_bp,
        auth_bp,
        admin_bp,
        keys_bp,
        referrals_bp,
        cases_bp,
        program_bp,
        team_bp,
        statistics_bp,
        directory_bp,
        library_bp,
        push_bp,
        training_bp,
        training_manage_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.globals["once_token"] = once.new_token
    cli.init_app(app)
