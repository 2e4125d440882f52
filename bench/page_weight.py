"""`make bench` (after run.py): the weight of the pages an officer opens before asking, with
everything they load (stylesheet, scripts, icons, photos), at the demo agency's size, and again
with a photo on every published profile. Written into bench/results.md under its own heading.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.conftest import make_app  # noqa: E402
from wellness.extensions import db  # noqa: E402

PAGES = ("/peer-team", "/resources", "/library/", "/library/after-a-critical-incident")
ASSET = re.compile(r'<(?:link|script|img)[^>]+(?:href|src)="(/[^"]+)"')
HEADING = "## Page weight: the peer team, resources and the library"


def weigh(client, path: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(HTML bytes, bytes of everything it loads, number of requests)."""
    html = client.get(path).get_data()
    assets = sorted(set(ASSET.findall(html.decode())))
    loaded = sum(len(client.get(a.replace("&amp;", "&")).get_data()) for a in assets)
    return len(html), loaded, 1 + len(assets)


def photo() -> bytes:
    image = Image.effect_noise((1200, 1200), 60).convert("RGB")  # noise: a worst case for JPEG
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def main() -> None:
    from wellness import demo
    from wellness.directory import service as directory
    from wellness.keys import service as keys

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), f"sqlite:///{tmp}/weight.db")
        rows = []
        with app.app_context():
            db.create_all()
            keys.initialise_instance()
            keys.create_recovery_key()
            demo.build()
            client = app.test_client()
            plain = {p: weigh(client, p) for p in PAGES}
            for person in directory.published():
                directory.set_photo(db.session.get(demo.User, person.user_id), photo())
            with_photos = weigh(client, "/peer-team")
        for path, (html, loaded, requests) in plain.items():
            rows.append(f"| {path} | {html:,} | {loaded:,} | {html + loaded:,} | {requests} |")
        html, loaded, requests = with_photos
        rows.append(
            f"| /peer-team, a photo on all 5 profiles | {html:,} | {loaded:,} | "
            f"{html + loaded:,} | {requests} |"
        )
    table = "\n".join(
        [
            HEADING,
            "",
            "Uncompressed bytes, first visit (nothing cached), demo agency (5 published "
            "profiles, 7 public resources, 8 articles).",
            "",
            "| Page | HTML | Everything it loads | Total | Requests |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(table)
    results = ROOT / "bench" / "results.md"
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    text = text.split(HEADING)[0].rstrip() + "\n\n" + table
    results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
