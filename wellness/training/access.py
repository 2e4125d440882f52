"""Who manages training, and which of the training pages' own links someone sees."""

from __future__ import annotations

from flask_login import current_user

from wellness.accounts.access import holds
from wellness.accounts.models import Role

# Coordinators and admins publish the policy, keep the bulletin queue and see the agency's
# record (a role counts only where it holds: ``accounts.access.holds``).
MANAGERS = (Role.COORDINATOR, Role.ADMIN)


def links() -> dict[str, object]:
    """Context for ``training/_nav.html``: the manager's and the report's links, where they
    apply."""
    if not current_user.is_authenticated:
        return {}
    return {
        "can_manage": any(holds(current_user, r) for r in MANAGERS),
        "can_report": any(holds(current_user, r) for r in (Role.SUPERVISOR, *MANAGERS)),
    }
