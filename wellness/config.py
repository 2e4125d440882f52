"""Settings: the defaults below, then ``instance/config.py``, then ``WELLNESS_*`` variables.

Every setting is documented once, here and in the README's table. Defaults are the safe choice
for a single-agency install; nothing secret has a default (keys are generated into instance/).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def server_zone() -> str:
    """The server's own time zone, as an IANA name ("UTC" if it cannot be told)."""
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return "UTC"
    return name


class Defaults:
    # Database. Empty means SQLite at instance/wellness.db.
    DATABASE_URL: str = ""
    # PostgreSQL: seconds to wait for a connection before the page says "temporarily
    # unavailable" (503), and connections per app process (pool plus overflow).
    DB_CONNECT_TIMEOUT: int = 5
    DB_POOL_SIZE: int = 5
    DB_MAX_OVERFLOW: int = 10
    # Rate-limit storage: memory:// for one process, redis://host:6379/0 for several instances.
    RATELIMIT_STORAGE_URL: str = "memory://"
    # Login throttling: per client address, and a lockout per account after N failures.
    LOGIN_RATE_LIMIT: str = "20 per minute"
    # Anonymous receipt look-ups per client address (each costs a slow key derivation).
    RECEIPT_RATE_LIMIT: str = "10 per minute"
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_LOCKOUT_MINUTES: int = 15
    # Idle session timeout in minutes: staff (counselor, coordinator, admin) and everyone else.
    IDLE_TIMEOUT_STAFF_MINUTES: int = 15
    IDLE_TIMEOUT_MINUTES: int = 30
    # Argon2id cost for password hashes (OWASP: m >= 19 MiB, t >= 2). Lower only in tests.
    ARGON2_TIME_COST: int = 3
    ARGON2_MEMORY_KIB: int = 65536
    ARGON2_PARALLELISM: int = 1
    # Argon2id cost for anonymous receipt codes. A code is 80 random bits (64 once its 16-bit
    # bucket tag is known), not a password a person chose: a light memory-hard hash is ample
    # (SECURITY.md, Receipts), and the full password cost would make every anonymous request
    # wait for it. Never below t=1, m=1024.
    RECEIPT_ARGON2_TIME_COST: int = 2
    RECEIPT_ARGON2_MEMORY_KIB: int = 2048
    # Largest request body accepted, in bytes; larger ones get 413.
    MAX_CONTENT_LENGTH: int = 256 * 1024
    # True when served over HTTPS (directly or behind a TLS proxy): Secure cookies and HSTS.
    HTTPS: bool = False
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES: int = 0
    # Minutes to first contact by urgency; past it the coordinator is alerted.
    FIRST_CONTACT_MINUTES: dict = {"crisis": 15, "soon": 1440, "routine": 4320}  # noqa: RUF012
    # Hours after a check-in is sent before it counts as missed and the counselor is told.
    CHECKIN_MISSED_HOURS: int = 48
    # Days after closing before a case is destroyed (keys and ciphertext); counts are kept.
    RETENTION_DAYS: int = 365
    # Program figures that leave the coordinator: one differentially private release per
    # completed "month" (or "quarter", for a small agency: larger counts, less relative noise),
    # with this privacy budget ε each (statistics/release.py, SECURITY.md).
    RELEASE_PERIOD: str = "month"
    RELEASE_EPSILON: float = 1.0
    # Training (wellness/training): the hour of the agency's working day (Monday to Friday, in
    # TIMEZONE) from which the next queued bulletin is published, and the days after a policy
    # version is published (or a member joins) before one reminder goes to those who have not
    # acknowledged it.
    BULLETIN_HOUR: int = 7
    POLICY_ACK_DAYS: int = 14
    # How often the scheduler looks for work, in seconds; check-ins claimed per transaction.
    SCHEDULER_INTERVAL_SECONDS: int = 30
    DISPATCH_BATCH: int = 500
    # E-mail: "console" (logged, for one box and development) or "smtp".
    MAIL_BACKEND: str = "console"
    # Sender of notice e-mails: neutral by default (a mail administrator sees who wrote to whom).
    MAIL_FROM: str = "notices@localhost"
    # Web Push endpoints must be https; the test suite's local push service is plain http.
    PUSH_ALLOW_LOCAL: bool = False
    # The push services browsers use (Chrome/Edge/Android, Firefox, Safari, Windows): a
    # subscription to any other host is refused.
    PUSH_SERVICES: tuple[str, ...] = (
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    )
    MAIL_SENDER_NAME: str = "Notices"
    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = 25
    SMTP_TLS: str = "none"  # none / starttls / ssl
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = ""
    # The address people use to reach the site; e-mails link here and nowhere else.
    BASE_URL: str = "http://127.0.0.1:5000"
    # Name shown in the header and page titles.
    AGENCY_NAME: str = "Peer Support"
    # The agency's time zone (an IANA name such as "America/Chicago"): times are entered and
    # shown in it, and stored in UTC. Default: the server's own zone.
    TIMEZONE: str = server_zone()
    # TOTP issuer shown in authenticator apps.
    TOTP_ISSUER: str = "Wellness"


# Flask and extension settings derived from ours; not meant to be set directly.
FIXED: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "wellness_session",
    "REMEMBER_COOKIE_DURATION": 0,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which times out itself
    "RATELIMIT_HEADERS_ENABLED": False,
    "TEMPLATES_AUTO_RELOAD": False,
}


def load(config: dict[str, Any], instance_path: str, test_config: dict[str, Any] | None) -> None:
    """Layer defaults, instance/config.py, WELLNESS_* environment and test overrides into config."""
    for name in dir(Defaults):
        if name.isupper():
            config[name] = getattr(Defaults, name)
    config.update(FIXED)
    config_file = Path(instance_path) / "config.py"
    if config_file.is_file():
        config.from_pyfile(str(config_file))  # type: ignore[attr-defined]
    config.from_prefixed_env("WELLNESS")  # type: ignore[attr-defined]
    if test_config:
        config.update(test_config)
    derive(config, instance_path)


def derive(config: dict[str, Any], instance_path: str) -> None:
    """Translate our settings into the names Flask and its extensions read."""
    url = config["DATABASE_URL"] or "sqlite:///" + os.path.join(instance_path, "wellness.db")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Never quote a statement's parameters (what someone typed) in an error's text.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True}
    if url.startswith("postgresql"):
        # pre_ping: a connection the server dropped (restart, failover) is replaced, not used.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "hide_parameters": True,
            "pool_pre_ping": True,
            "pool_size": int(config["DB_POOL_SIZE"]),
            "max_overflow": int(config["DB_MAX_OVERFLOW"]),
            "pool_timeout": int(config["DB_CONNECT_TIMEOUT"]),
            "connect_args": {"connect_timeout": int(config["DB_CONNECT_TIMEOUT"])},
        }
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URL"]
    config["SESSION_COOKIE_SECURE"] = bool(config["HTTPS"])
    if config["HTTPS"] and config["SESSION_COOKIE_NAME"] == "wellness_session":
        # Over HTTPS, a __Host- cookie: no sibling subdomain can set or overwrite it.
        config["SESSION_COOKIE_NAME"] = "__Host-wellness_session"
    try:
        ZoneInfo(str(config["TIMEZONE"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"TIMEZONE {config['TIMEZONE']!r} is not a time zone name (e.g. America/Chicago)"
        ) from exc
    config["PREFERRED_URL_SCHEME"] = "https" if config["HTTPS"] else "http"
    for name in ("BULLETIN_HOUR", "POLICY_ACK_DAYS"):
        try:
            config[name] = int(config[name])  # "7" from a file or the environment reads as 7
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} {config[name]!r} is not a whole number") from exc
    if not 0 <= config["BULLETIN_HOUR"] <= 23:
        raise ValueError(f"BULLETIN_HOUR {config['BULLETIN_HOUR']!r} is not an hour (0 to 23)")
    if config["POLICY_ACK_DAYS"] < 1:
        raise ValueError(f"POLICY_ACK_DAYS {config['POLICY_ACK_DAYS']!r} must be at least 1")
