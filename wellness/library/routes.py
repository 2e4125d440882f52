"""The wellness library: public reading (no sign-in, no read tracking), coordinator writing."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.extensions import db
from wellness.library import render
from wellness.library import service as library
from wellness.library.forms import ArticleForm
from wellness.library.models import Article

bp = Blueprint("library", __name__)
SLUG = re.compile(r"[a-z0-9-]{1,80}")  # what library.slug_for makes; anything else: not found


@bp.route("/library/")
def index() -> str:
    """Articles by topic (one topic with ``?topic=``)."""
    topic = request.args.get("topic")
    topic = topic if topic in library.TOPICS else None
    return render_template(
        "library/index.html", articles=library.published(topic), topic=topic, topics=library.TOPICS
    )


@bp.route("/library/<slug>")
def article(slug: str) -> str:
    """One article, its Markdown rendered safely."""
    found = library.by_slug(slug) if SLUG.fullmatch(slug) else None
    if found is None:
        abort(404)
    return render_template(
        "library/article.html",
        article=found,
        body=render.to_html(found.body),
        topic=library.TOPICS.get(found.topic, found.topic),
    )


@bp.route("/coordinator/library/", methods=["GET", "POST"], defaults={"article_id": None})
@bp.route("/coordinator/library/<int:article_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit(article_id: int | None) -> Response | str:
    """The coordinator writes and edits articles (with a preview of the rendered text)."""
    article = None if article_id is None else db.get_or_404(Article, article_id)
    form = ArticleForm(obj=article)
    if form.validate_on_submit():
        fields = library.ArticleFields(
            form.title.data,
            form.topic.data,
            form.summary.data or "",
            form.body.data,
            form.published.data,
        )
        try:
            saved = library.save(article, fields, current_user.id)
        except library.SlugTakenError as exc:
            form.title.errors = [*form.title.errors, str(exc)]
        else:
            flash("Article saved." + (" It is in the library." if saved.published else ""))
            return redirect(url_for(".edit", article_id=saved.id))
    return render_template(
        "library/edit.html",
        form=form,
        article=article,
        articles=library.every(),
        preview=render.to_html(form.body.data) if form.body.data else "",
    )
