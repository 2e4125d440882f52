"""Web Push, opt-in and content-free: a named officer (a check-in is due, a reply is waiting)
or a counselor (a new case, a crisis page) may let a browser be told that something is waiting.

The push says exactly what every notice e-mail says (``mail.TEXT``), encrypted to the browser
(RFC 8291) and signed with the instance's VAPID key (RFC 8292, ``instance/keys/vapid.key``,
made on first use, 0600). Subscriptions are class B (``crypto.fields.PUSH_SUBSCRIPTION``): the
scheduler pushes with nobody signed in. A push goes through the same outbox as e-mail (claimed,
retried, never in the request that caused it), so a failing push service blocks and delays
nothing else; one that says the subscription is gone (404/410) has it removed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, insert, select, update

from wellness.checkins.models import Outbox  # (shared with e-mail)
from wellness.crypto import fields
from wellness.crypto.keyfiles import KeyFileExistsError, create_key_file
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field, key_dir
from wellness.notifications.models import PushSubscription
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import use_case

log = logging.getLogger(__name__)

PREFIX = b"push:"  # an outbox row for a push names its subscription: "push:<id>"
KIND = "push"  # every push row's outbox kind, whatever it announces
ENDPOINT_MAX = 1000
TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 6  # about half an hour of tries (the outbox's lease is five minutes)


class SubscriptionError(ValueError):
    """What the browser sent is not a push subscription we can use."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private_key() -> ec.EllipticCurvePrivateKey:
    """The instance's VAPID key, made on first use (two processes racing keep one)."""
    path = Path(key_dir()) / "vapid.key"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        key = ec.generate_private_key(ec.SECP256R1())
        raw = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            create_key_file(path, raw)
        except KeyFileExistsError:
            raw = path.read_bytes()
    key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{path} does not hold a P-256 key")
    return key


def public_key() -> str:
    """The VAPID public key, as the browser's ``applicationServerKey`` (base64url, raw point)."""
    point = (
        _private_key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return _b64(point)


def parse(given: object) -> Subscription:
    """A browser's PushSubscription (its JSON), checked: an https endpoint (http only to this
    machine, for tests), a P-256 public key and a 16-byte auth secret."""
    if not isinstance(given, dict):
        raise SubscriptionError("not a subscription")
    endpoint, keys = given.get("endpoint"), given.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > ENDPOINT_MAX:
        raise SubscriptionError("not a subscription")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise SubscriptionError("not a subscription") from exc
    local = parts.scheme == "http" and host in ("127.0.0.1", "localhost")
    if local and current_app.config["PUSH_ALLOW_LOCAL"]:
        pass
    elif parts.scheme != "https" or not _known_service(host):
        # Only the browsers' own push services: the scheduler never posts to an address a
        # user typed (an internal service, say).
        raise SubscriptionError("not a push service")
    try:
        p256dh, auth = str(keys["p256dh"]), str(keys["auth"])
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(p256dh))
        if len(_unb64(auth)) != 16:
            raise ValueError("auth")
    except (KeyError, ValueError, TypeError) as exc:
        raise SubscriptionError("not a subscription") from exc
    return Subscription(endpoint, p256dh, auth)


def _known_service(host: str) -> bool:
    return any(host == s or host.endswith("." + s) for s in current_app.config["PUSH_SERVICES"])


def _endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(b"wellness push endpoint\0" + endpoint.encode()).hexdigest()


@use_case
def subscribe(user_id: int, subscription: Subscription) -> None:
    """Keep this browser's subscription for ``user_id`` (the same browser again replaces it)."""
    digest = _endpoint_hash(subscription.endpoint)
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    row = PushSubscription(
        user_id=user_id, endpoint_hash=digest, box="", created_at=floor_hour(utcnow())
    )
    db.session.add(row)
    db.session.flush()
    plain = json.dumps(subscription.info()).encode()
    row.box = encrypt_field(fields.PUSH_SUBSCRIPTION, row.id, plain)


@use_case
def unsubscribe(user_id: int, endpoint: str) -> None:
    """Forget this browser's subscription (only the person's own)."""
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user_id,
            PushSubscription.endpoint_hash == _endpoint_hash(endpoint),
        )
    )


@use_case
def unsubscribe_all(user_id: int) -> int:
    """Forget every browser ``user_id`` turned push on in (a lost phone; a password reset)."""
    return db.session.execute(
        delete(PushSubscription).where(PushSubscription.user_id == user_id)
    ).rowcount


def subscribed(user_id: int) -> int:
    """How many browsers ``user_id`` has let be told."""
    return len(
        db.session.scalars(
            select(PushSubscription.id).where(PushSubscription.user_id == user_id)
        ).all()
    )


def queue_for(user_ids: list[int]) -> None:
    """One outbox row per subscribed browser of ``user_ids`` (in the caller's transaction):
    the row names its subscription, encrypted like an e-mail address, and says nothing else."""
    if not user_ids:
        return
    subscriptions = db.session.scalars(
        select(PushSubscription.id).where(PushSubscription.user_id.in_(set(user_ids)))
    ).all()
    if not subscriptions:
        return
    ids = db.session.scalars(
        insert(Outbox).returning(Outbox.id),
        # One kind for every push, whatever it announces: a reply, a check-in, a new case.
        [
            {"to_token": "", "kind": "push", "created_at": floor_hour(utcnow())}
            for _ in subscriptions
        ],
    ).all()
    db.session.execute(
        update(Outbox),
        [
            {
                "id": row_id,
                "to_token": encrypt_field(fields.OUTBOX_TO, row_id, PREFIX + str(sub).encode()),
            }
            for row_id, sub in zip(ids, subscriptions, strict=True)
        ],
    )


def send(address: bytes, text: str, attempts: int = 1) -> bool:
    """Push ``text`` to the subscription an outbox row names. True when it is done with: sent;
    refused for good (any 4xx but 429; a gone browser's subscription is removed); or tried
    MAX_ATTEMPTS times. False to try again after the lease."""
    # Loaded here, by the scheduler only: web processes never send, and pywebpush brings
    # requests and aiohttp (about 25 MiB per worker).
    import requests
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    sub_id = int(address.removeprefix(PREFIX))
    row = db.session.get(PushSubscription, sub_id)
    if row is None:
        return True  # unsubscribed since: nothing to send
    info = json.loads(decrypt_field(fields.PUSH_SUBSCRIPTION, row.id, row.box))
    cfg = current_app.config
    try:
        with requests.Session() as http:
            webpush(
                info,
                data=text,
                vapid_private_key=Vapid(_private_key()),
                vapid_claims={"sub": f"mailto:{cfg['MAIL_FROM']}"},
                timeout=TIMEOUT_SECONDS,
                ttl=24 * 3600,
                requests_session=http,
            )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):  # the push service says this browser is gone
            db.session.delete(row)
            db.session.commit()
            return True
        if status is not None and 400 <= status < 500 and status != 429:
            log.warning("push %d refused (status %s); not retried", sub_id, status)
            return True
        return _retry_or_give_up(sub_id, attempts, f"status {status}")
    except OSError as exc:
        return _retry_or_give_up(sub_id, attempts, type(exc).__name__)
    return True


def _retry_or_give_up(sub_id: int, attempts: int, why: str) -> bool:
    if attempts >= MAX_ATTEMPTS:
        log.warning("push %d not sent (%s) after %d tries; given up", sub_id, why, attempts)
        return True
    log.warning("push %d not sent (%s); it will be retried", sub_id, why)
    return False
