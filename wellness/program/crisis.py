"""Crisis numbers: set by the coordinator, served even when the database is down.

They are written to instance/crisis.json when saved, and the crisis page reads only that file,
so the platform never stands between an officer and emergency help.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class CrisisNumbers:
    on_call_label: str = ""
    on_call_phone: str = ""
    note: str = ""


def path(instance_path: str) -> Path:
    """Where the crisis numbers are kept: crisis.json in the instance folder."""
    return Path(instance_path) / "crisis.json"


def load(instance_path: str) -> CrisisNumbers:
    """The saved numbers, or none beyond the national ones (templates/_crisis.html) if nothing
    was saved (or it is unreadable)."""
    try:
        data = json.loads(path(instance_path).read_text("utf-8"))
        return CrisisNumbers(**{k: str(data.get(k, ""))[:200] for k in asdict(CrisisNumbers())})
    except (OSError, ValueError, TypeError):
        return CrisisNumbers()


def save(instance_path: str, numbers: CrisisNumbers) -> None:
    """Write atomically, so the page never reads a half-written file."""
    target = path(instance_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".crisis-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(numbers), handle)
    os.chmod(tmp, 0o600)  # the instance folder is owner-only
    os.replace(tmp, target)
