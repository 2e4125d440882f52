"""One dispatcher process for bench/run.py: waits for the start time, dispatches every due
check-in, prints {"sent": n, "end": unix time}. Settings come from WELLNESS_* as in production.

    python bench/dispatcher.py START_UNIX_TIME
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wellness import create_app  # noqa: E402
from wellness.checkins import jobs  # noqa: E402
from wellness.extensions import db  # noqa: E402
from wellness.timeutil import utcnow  # noqa: E402


def main() -> None:
    start = float(sys.argv[1])
    app = create_app()
    with app.app_context():
        db.session.execute(db.select(1))  # connect before the start line
        db.session.rollback()
        time.sleep(max(0.0, start - time.time()))
        sent = jobs.dispatch_due_checkins(utcnow(), batch=500)
        print(json.dumps({"sent": sent, "end": time.time()}))


if __name__ == "__main__":
    main()
