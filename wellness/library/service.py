"""The library's articles: read by anyone (published ones), written by the coordinator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from wellness.extensions import db
from wellness.library.models import Article
from wellness.timeutil import utcnow
from wellness.transaction import use_case

TOPICS = {
    "critical incident": "After a critical incident",
    "sleep": "Sleep and shift work",
    "alcohol": "Alcohol",
    "money": "Money",
    "family": "Family and relationships",
    "grief": "Grief",
    "retirement": "Retirement",
    "peer support": "How peer support works",
}


class SlugTakenError(ValueError):
    pass


@dataclass(frozen=True)
class ArticleFields:
    title: str
    topic: str
    summary: str
    body: str
    published: bool


def slug_for(title: str) -> str:
    """The article's address, from its title: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:80] or "article"


def published(topic: str | None = None) -> list[Article]:
    """Published articles (of ``topic``), by topic then title."""
    query = select(Article).where(Article.published.is_(True))
    if topic:
        query = query.where(Article.topic == topic)
    return list(db.session.scalars(query.order_by(Article.topic, Article.title)))


def every() -> list[Article]:
    """Every article, drafts too (the coordinator's list)."""
    return list(db.session.scalars(select(Article).order_by(Article.topic, Article.title)))


def by_slug(slug: str) -> Article | None:
    """A published article, or None."""
    return db.session.scalar(
        select(Article).where(Article.slug == slug, Article.published.is_(True))
    )


SEED = Path(__file__).parent / "seed"


def parse_seed(text: str) -> ArticleFields:
    """A seed article: ``title:``, ``topic:`` and ``summary:`` lines, a blank line, Markdown."""
    head, _, body = text.partition("\n\n")
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return ArticleFields(meta["title"], meta["topic"], meta.get("summary", ""), body.strip(), True)


def seed() -> int:
    """The library the project ships (original articles, each ending in the ways to ask for
    help), added to an empty library (in the caller's transaction); how many were added."""
    if db.session.scalar(select(Article.id).limit(1)) is not None:
        return 0
    files = sorted(SEED.glob("*.md"))
    for path in files:
        save(None, parse_seed(path.read_text(encoding="utf-8")), None)
    return len(files)


@use_case
def save(article: Article | None, fields: ArticleFields, editor_id: int | None) -> Article:
    """Write a new article (``article`` None) or change one; SlugTakenError if another article
    has the same title's address."""
    slug = slug_for(fields.title)
    clash = db.session.scalar(select(Article.id).where(Article.slug == slug))
    if clash is not None and (article is None or clash != article.id):
        raise SlugTakenError("Another article has that title. Choose a different one.")
    if article is not None and (
        article.title,
        article.topic,
        article.summary,
        article.body,
        article.published,
    ) == (
        fields.title.strip(),
        fields.topic,
        fields.summary.strip(),
        fields.body,
        fields.published,
    ):
        return article  # saved unchanged: it keeps its date and editor
    article = article or Article()
    article.slug, article.title, article.topic = slug, fields.title.strip(), fields.topic
    article.summary, article.body = fields.summary.strip(), fields.body
    article.published, article.updated_at, article.updated_by = (
        fields.published,
        utcnow(),
        editor_id,
    )
    db.session.add(article)
    return article
