"""The project's one safe Markdown renderer (the library, and any agency text written in
Markdown): markdown-it-py's CommonMark with raw HTML off, then nh3 (ammonia) keeps only an
allow-list of tags and attributes, and links only to web, phone, text and mail addresses.
Pure: text in, HTML out.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre",
    "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"https", "http", "tel", "sms", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable("table")


def to_html(markdown: str) -> str:
    """Markdown as safe HTML: no script, style, image, frame, event handler or javascript: link.
    A top-level heading becomes a second-level one (the page has its own title)."""
    html = _parser.render(markdown)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
