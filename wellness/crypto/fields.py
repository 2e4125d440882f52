"""Every encrypted field, once: the table and name a ciphertext is bound to (its associated
data, ``crypto.context``), so a value moved to another row or field does not open.

Class B fields (under the rotatable server key, SECURITY.md) are ``ServerField``s, listed in
``SERVER_FIELDS``: ``keyring.encrypt_field`` refuses any other, and key rotation re-encrypts
exactly these, so no class-B value can be left under a key rotation deletes. A new class-B
column is added here, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from wellness.crypto.context import context


@dataclass(frozen=True)
class Field:
    table: str
    name: str  # the field's name in the binding

    def context(self, row_id: int | str) -> bytes:
        return context(self.table, row_id, self.name)


@dataclass(frozen=True)
class ServerField(Field):
    column: str = ""  # the model attribute that holds the token
    bucket: int = 64  # values are padded to at least this many bytes (serverkeys.BUCKETS)


# Class A: under a case's data key, or a person's own key.
CASE_CONTENT = Field("cases", "content")
MESSAGE_BODY = Field("messages", "body")
NOTE_BODY = Field("notes", "body")
CHECKIN_ANSWER = Field("check_ins", "answer")
TOTP_STATE = Field("authenticator_steps", "box")
SESSION_PRIVATE_KEY = Field("login_sessions", "private_key")
ENROL_SECRET = Field("login_sessions", "enrol_secret")
HELD_BOX = Field("held_pages", "box")  # under a key only the browser holds (main/held.py)

# Class B: under the server key. Addresses pad alike up to RFC 5321's 254 characters; the
# coordinators clear of a case alike up to ~30 of them (how many are clear is a clue too).
CASE_TIMES = ServerField("cases", "times", "times")
CASE_LEADS = ServerField("cases", "leads", "leads", 256)
CHECKIN_NOTIFY = ServerField("check_ins", "notify", "notify_token")
USER_EMAIL = ServerField("users", "email", "email_token", 256)
USER_TOTP = ServerField("users", "totp_secret", "totp_secret")
OUTBOX_TO = ServerField("outbox", "to_token", "to_token", 256)
# A browser's push endpoint and keys (opt-in): the scheduler pushes with nobody signed in.
PUSH_SUBSCRIPTION = ServerField("push_subscriptions", "box", "box", 1024)

SERVER_FIELDS = (
    CASE_TIMES,
    CASE_LEADS,
    CHECKIN_NOTIFY,
    USER_EMAIL,
    USER_TOTP,
    OUTBOX_TO,
    PUSH_SUBSCRIPTION,
)
