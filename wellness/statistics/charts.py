"""Server-rendered SVG bar charts: no JavaScript, nothing from a CDN. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, BAR, GAP, LABEL = 360, 20, 6, 64


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int | None]) -> str:
    """Horizontal bars; a value too small to show (None) is drawn as a hatched stub, labelled."""
    top = max([v for v in values if v is not None] or [1]) or 1
    height = len(labels) * (BAR + GAP) + GAP
    scale = (WIDTH - LABEL - 60) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} '
        f'{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + i * (BAR + GAP)
        parts.append(f'<text x="0" y="{y + BAR - 6}" class="chart-label">{escape(label)}</text>')
        if value is None:
            parts.append(
                f'<rect x="{LABEL}" y="{y}" width="24" height="{BAR}" class="chart-hidden"/>'
            )
            parts.append(
                f'<text x="{LABEL + 30}" y="{y + BAR - 6}" class="chart-value">fewer than 5</text>'
            )
        else:
            width = max(1, round(value * scale)) if value else 0
            parts.append(
                f'<rect x="{LABEL}" y="{y}" width="{width}" height="{BAR}" class="chart-bar"/>'
            )
            parts.append(
                f'<text x="{LABEL + width + 6}" y="{y + BAR - 6}" '
                f'class="chart-value">{value}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
