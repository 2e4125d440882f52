"""Browser journeys: the real app served over HTTP, driven by Debian's Chromium via Playwright.

Each test gets its own app on a fresh SQLite file, served by a threaded WSGI server on a free
port. axe-core (from npm, installed by ``make test``) is injected into every page a journey
visits; a serious or critical violation fails the journey. Screenshots go to
``tests/browser/screenshots/<viewport>/``.

In CI (``CI=true``) a missing browser or axe-core fails the run; elsewhere it skips with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI, make_app
from wellness.extensions import db
from wellness.keys import service as keys

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("WELLNESS_CHROMIUM", "/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} not found: apt-get install -y chromium")
    if not AXE.is_file():
        _missing(f"{AXE} not found: npm ci --prefix tests/browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[tuple[object, str]]:
    """The app on a fresh SQLite database, served on 127.0.0.1:<free port>."""
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'browser.db'}")
    with app.app_context():
        db.create_all()
        keys.initialise_instance()
        app.config["TEST_RECOVERY_CODE"] = keys.create_recovery_key()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


# At phone size: the page never scrolls sideways, and every control (and every link outside
# running text: the crisis bar, the header, navigation, cards, buttons) is at least 44 x 44
# CSS px, measured from the rendered boxes.
PHONE_CHECK = """() => {
  const found = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    found.push(`scrolls sideways: ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);
  }
  const controls = 'button, select, textarea, summary, a.button, .card > a, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + '.crisis-bar a, header a, nav a';
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest('.skip')) continue;
    if (box.width < 43.5 || box.height < 43.5) {
      const what = (el.innerText || el.value || el.name || el.tagName).trim().slice(0, 30);
      found.push(`tap target ${el.tagName.toLowerCase()} "${what}" is ${Math.round(box.width)}`
        + ` x ${Math.round(box.height)} px`);
    }
  }
  return found;
}"""


@dataclass
class Visit:
    """What the journey saw: pages checked by axe, violations, console errors."""

    viewport: str
    journey: str
    checked: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    shots: int = 0


class Journey:
    """One person's browser: every page they land on is checked by axe and photographed."""

    def __init__(
        self, browser: object, base: str, visit: Visit, who: str, javascript: bool = True
    ) -> None:
        self.visit = visit
        self.who = who
        self.javascript = javascript
        self.context = browser.new_context(
            base_url=base, java_script_enabled=javascript, **VIEWPORTS[visit.viewport]
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))

    def _console(self, message: object) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.visit.console_errors.append(f"{message.text} ({where})")

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status < 500, f"{path}: {response.status}"
        self.check()

    def submit(self, label: str | None = None) -> None:
        """Press the main form's submit button (by its text), wait for the next page, check it."""
        buttons = self.page.locator("main button[type=submit]")
        if label:
            buttons = buttons.filter(has_text=label)
        with self.page.expect_navigation():
            buttons.first.click()
        self.check()

    def check(self) -> None:
        """Run axe-core on the page and save a screenshot of it."""
        page = self.page
        page.wait_for_load_state("load")
        if not self.javascript:  # nothing can be evaluated: the same pages are checked with it on
            path = re.sub(r"^https?://[^/]+", "", page.url)
            self.visit.checked.append(path)
            return
        # Evaluated through the DevTools protocol: the page's CSP (no inline script) still holds.
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"
        )
        path = re.sub(r"^https?://[^/]+", "", page.url)
        self.visit.checked.append(path)
        for v in result:
            if v["impact"] in ("serious", "critical"):
                self.visit.violations.append(f"{path}: {json.dumps(v)}")
        if self.visit.viewport == "phone":
            self.visit.violations += [f"{path}: {p}" for p in page.evaluate(PHONE_CHECK)]
        self.visit.shots += 1
        folder = SCREENSHOTS / self.visit.viewport / self.visit.journey
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.visit.shots:02d}-{self.who}-{_slug(path)}.png"
        page.screenshot(path=str(folder / name), full_page=True)

    def close(self) -> None:
        self.context.close()


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "home"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def journey(browser, live_app, viewport, request):  # type: ignore[no-untyped-def]
    """A factory of people's browsers; at the end, no accessibility violation and no JS error."""
    app, base = live_app
    name = request.node.originalname.removeprefix("test_")
    folder = SCREENSHOTS / viewport / name
    shutil.rmtree(folder, ignore_errors=True)
    visit = Visit(viewport, name)
    opened: list[Journey] = []

    def open_browser(who: str, javascript: bool = True) -> Journey:
        j = Journey(browser, base, visit, who, javascript)
        opened.append(j)
        return j

    yield open_browser
    for j in opened:
        j.close()
    assert visit.checked, "the journey visited no page"
    assert not visit.violations, "axe found serious or critical violations:\n" + "\n".join(
        visit.violations
    )
    assert not visit.console_errors, "browser console errors:\n" + "\n".join(visit.console_errors)
