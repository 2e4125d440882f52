"""library/render.py: the one safe Markdown renderer (no app)."""

from html.parser import HTMLParser

import pytest

from wellness.library.render import to_html


class Elements(HTMLParser):
    """The elements and attributes a browser would build (escaped text is only text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def test_markdown_becomes_html_and_a_top_heading_steps_down():
    html = to_html("# Sleep\n\nRest **well**.\n\n- one\n- two")
    assert "<h2>Sleep</h2>" in html
    assert "<h1>" not in html
    assert "<strong>well</strong>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "![x](https://example.org/track.png)",
        '<iframe src="https://example.org"></iframe>',
        "<style>body{}</style>",
        '<a href="https://example.org" onclick="x()">a</a>',
    ],
)
def test_nothing_that_runs_loads_or_tracks_survives(hostile):
    for tag, attrs in Elements(to_html(hostile)).found:
        assert tag not in ("script", "img", "iframe", "style"), tag
        assert not any(name.startswith("on") for name in attrs), attrs
        assert not attrs.get("href", "").lower().startswith("javascript:"), attrs


@pytest.mark.parametrize(
    ("link", "kept"),
    [
        ("https://988lifeline.org", True),
        ("tel:988", True),
        ("sms:741741", True),
        ("mailto:help@example.org", True),
        ("ftp://example.org", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
    ],
)
def test_links_only_to_web_phone_text_and_mail(link, kept):
    html = to_html(f"[here]({link})")
    assert (f'href="{link}"' in html) is kept
    if kept:
        assert 'rel="noopener noreferrer"' in html
