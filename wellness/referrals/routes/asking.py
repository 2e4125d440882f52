"""Asking for help: the forms (named, anonymous, a concern), what happens next, the
questionnaires and their one-tap crisis request, and the crisis page."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    render_template,
    request,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from wellness.accounts.access import roles_required
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.errors.pages import render_standalone
from wellness.referrals import forms, screeners
from wellness.referrals import service as referrals
from wellness.referrals.routes import _me, _numbers, bp
from wellness.referrals.routes.sent import submit_once


@bp.route("/help/")
def hub() -> str:
    return render_template("referrals/hub.html")


def _screener_from(form: forms.ReferralFields) -> screeners.Result | None:
    # The form refused a result that does not score; what reaches here is whole.
    if not form.screener.data:
        return None
    return forms.attached_result(form.screener.data, form.screener_answers.data)


def _referral(form: forms.ReferralFields, **extra: object) -> referrals.SelfReferral:
    return referrals.SelfReferral(
        topics=list(form.topics.data or []),
        text=(form.text.data or "").strip(),
        urgency=form.urgency.data,
        supporter_type=form.supporter_type.data or None,
        language=(form.language.data or "").strip() or None,
        screener=_screener_from(form),
        ask_for=form.ask_for.data or None,
        not_wanted=tuple(form.not_wanted.data or ()),
        **extra,
    )  # type: ignore[arg-type]


def _starting(form: forms.ReferralFields) -> bool:
    """A screener result page, or a person on "Our peer team", posts here to start a
    prefilled form (their result, or the person chosen), not to submit it."""
    return request.method == "POST" and request.form.get("start") == "1"


@bp.route("/help/self", methods=["GET", "POST"])
@login_required
def self_referral() -> Response | str:
    form = forms.SelfReferralForm()
    if not _starting(form) and form.validate_on_submit():
        referral = _referral(
            form,
            contact_method=form.contact_method.data,
            contact_details=(form.contact_details.data or "").strip(),
            contact_time=(form.contact_time.data or "").strip(),
        )
        return submit_once(
            form,
            lambda: referrals.submit_self_referral(referral, _me()),
            named=True,
            again=lambda: _self_page(form),
        )
    return _self_page(form)


def _self_page(form: forms.SelfReferralForm) -> str:
    return render_template("referrals/self.html", form=form, numbers=_numbers())


@bp.route("/help/anonymous", methods=["GET", "POST"])
def anonymous_referral() -> Response | str:
    form = forms.AnonymousReferralForm()
    form.unit.choices = [SelectChoice(0, "Prefer not to say")] + [
        SelectChoice(row.unit.id, row.unit.name) for row in agency.units_in_tree_order()
    ]
    if not _starting(form) and form.validate_on_submit():
        referral = _referral(
            form,
            contact_method="here",
            unit_id=form.unit.data or None,
            contact_details=(form.contact_details.data or "").strip(),
            group=None if form.asker.data == "member" else form.asker.data,
            outside_unit=form.outside_unit.data,
        )
        # The receipt is shown once, from the held page: never in a URL, a cookie or in clear.
        return submit_once(
            form,
            lambda: referrals.submit_anonymous_referral(referral),
            named=False,
            again=lambda: _anonymous_page(form),
        )
    return _anonymous_page(form)


def _anonymous_page(form: forms.AnonymousReferralForm) -> str:
    return render_template("referrals/anonymous.html", form=form, numbers=_numbers())


@bp.route("/help/reach-out", methods=["POST"])
def reach_out() -> Response | str:
    """From a risky questionnaire result: a crisis request in one tap, named if signed in and
    asked, otherwise anonymous (nobody can be paged about someone the system cannot reach)."""
    form = forms.ReachOutForm()
    if not form.validate_on_submit():  # (an expired page is page_expired's, above)
        return render_template("referrals/reach_out_again.html", numbers=_numbers())
    result = form.result()
    referral = referrals.SelfReferral(
        topics=[],
        text="Asked for someone to reach out now"
        + (", from a questionnaire result." if result else "."),
        urgency="crisis",
        screener=result,
        contact_method="phone" if form.named.data == "1" else "here",
    )
    if form.named.data == "1" and current_user.is_authenticated:
        return submit_once(
            form, lambda: referrals.submit_self_referral(referral, _me()), named=True
        )
    return submit_once(form, lambda: referrals.submit_anonymous_referral(referral), named=False)


def _concern(form: forms.ConcernForm, supervisor: bool) -> Response | str:
    candidates = []
    if form.validate_on_submit():
        try:
            subject = referrals.find_colleague(form.colleague.data, current_user)
        except referrals.ColleagueNotFoundError as exc:
            candidates = exc.candidates
            form.colleague.errors.append(
                "Choose one of the people below."
                if candidates
                else "Nobody matches that name. Check the spelling, or use their username."
            )
        else:
            report = referrals.ConcernReport(
                subject=subject,
                behaviours=list(form.behaviours.data or []),
                text=(form.text.data or "").strip(),
                urgency=form.urgency.data,
                critical_incident=form.critical_incident.data,
                supervisor_report=supervisor,
                observed_on=(getattr(form, "observed_on", None) and form.observed_on.data) or "",
                actions_taken=(getattr(form, "actions_taken", None) and form.actions_taken.data)
                or "",
            )
            return submit_once(
                form,
                lambda: referrals.submit_concern(report, _me(as_owner=False)),
                named=True,
                page="concern_sent",
                chosen=form.urgency.data,
            )
    return render_template(
        "referrals/concern.html",
        form=form,
        candidates=candidates,
        supervisor=supervisor,
        numbers=_numbers(),
    )


@bp.route("/help/concern", methods=["GET", "POST"])
@login_required
def concern() -> Response | str:
    return _concern(forms.ConcernForm(), supervisor=False)


@bp.route("/help/report", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def supervisor_report() -> Response | str:
    return _concern(forms.SupervisorReportForm(), supervisor=True)


@bp.route("/crisis")
def crisis() -> str:
    # Reads only instance/crisis.json, and renders without looking at the account: works with
    # the database down, signed in or not.
    return render_standalone("referrals/crisis.html", numbers=_numbers())


@bp.route("/screeners/")
def screener_list() -> str:
    return render_template("referrals/screeners.html", screeners=screeners.SCREENERS.values())


@bp.route("/screeners/<key>", methods=["GET", "POST"])
def screener(key: str) -> str:
    chosen = screeners.SCREENERS.get(key) or abort(404)
    form = forms.CsrfForm()
    errors = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            answers = [int(request.form.get(f"q{i}", "")) for i in range(len(chosen.items))]
            result = screeners.score(key, answers)
        except (ValueError, screeners.ScreenerError):
            errors = True
        else:
            return render_template(
                "referrals/screener_result.html",
                screener=chosen,
                result=result,
                numbers=_numbers(),
                answers=",".join(map(str, result.answers)),
            )
    return render_template(
        "referrals/screener.html", screener=chosen, form=form, errors=errors, given=request.form
    )
