"""Which coordinators a case concerns: those clear of its conflicts (``leads``), who see it in
the queue and may act on it, and those who hear of it (``hearers``): the same people, except
for an anonymous request, which every coordinator hears of alike so that who was told says
nothing about the unit it came from.

Kept on the case under the server key (class B, padded): the set itself would say something
about who the case is about. A case from before this was kept has none (None below): its
callers fall back to every coordinator, as that release did.
"""

from __future__ import annotations

import json
import logging

from wellness.cases.models import Case
from wellness.crypto import fields
from wellness.crypto.serverkeys import ServerKeyError
from wellness.keyring import decrypt_field, encrypt_field

log = logging.getLogger(__name__)


def set_leads(case: Case, leads: list[int], hearers: list[int] | None = None) -> None:
    """Keep the case's leads and hearers (by default the leads) on it, under the server key."""
    value = {"leads": sorted(leads), "hear": sorted(leads if hearers is None else hearers)}
    case.leads = encrypt_field(fields.CASE_LEADS, case.id, json.dumps(value).encode())


def leads_of(case: Case) -> set[int] | None:
    """Coordinators clear of the case's conflicts; None for a case of an earlier release."""
    value = _value(case)
    return None if value is None else set(value["leads"])


def hearers_of(case: Case) -> set[int] | None:
    """Coordinators to tell about the case (deadlines, alerts); None: an earlier release's."""
    value = _value(case)
    return None if value is None else set(value["hear"])


def _value(case: Case) -> dict[str, list[int]] | None:
    if not case.leads:
        return None
    try:
        return json.loads(decrypt_field(fields.CASE_LEADS, case.id, case.leads))
    except ServerKeyError:
        # Written by someone without the server key (or moved from another case): nobody is
        # taken to be clear, so the queue shows the case to every coordinator, without its
        # content, to assign with the recovery code.
        log.warning("case %d: its coordinator list does not verify", case.id)
        return {"leads": [], "hear": []}
