"""Outcome questionnaires (participants of both arms); the evaluation, flow and retention for the
lead and the evaluator; the evaluator's record-level exports."""
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from trainer.clock import today_in, utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import already_sent, apply_violation, as_choices, list_args, run_once, uploaded_text
from trainer.outcomes import forms
from trainer.services.accounts import access
from trainer.services.outcomes import (costs, evaluation, evaluation_plan, exports, instruments, outcomes,
                                       retention, trial_analysis)
from trainer.services.privacy import disclosure
from trainer.services.ratings import report_tables
from trainer.services.system import memo
from trainer.services.outcomes import board as board_report

bp = Blueprint("outcomes", __name__, url_prefix="/programmes/<int:programme_id>")
def _participant(programme_id: int):
    acc = access.require_membership(current_user, programme_id, ("participant",))
    return acc, outcomes.require_participant(acc)


def _remembered(programme, key: tuple, compute):
    """``compute()`` remembered against the programme's data version under ``key``, which must
    name everything else the value depends on (``memo.remembered``)."""
    return memo.remembered(programme.id, key, compute)


def _lead(programme_id: int):
    return access.require_membership(current_user, programme_id, ("lead",))


def _analyst(programme_id: int):
    """Its lead or its evaluator: the roles that see the evaluation pages."""
    return access.require_membership(current_user, programme_id, disclosure.READERS)


def _today(programme) -> object:
    return today_in(programme.timezone, utcnow())


@bp.get("/questionnaires")
@login_required
def index(programme_id: int):
    """The programme's participants (both arms): their questionnaires, and the sharing choice."""
    acc, member = _participant(programme_id)
    return render_template("outcomes/index.html", programme=acc.programme,
                           items=outcomes.questionnaires_for(member, _today(acc.programme)),
                           form=forms.SharingForm(share=outcomes.sharing_for(member)))


@bp.post("/questionnaires/sharing")
@login_required
def sharing(programme_id: int):
    """The participant: share (or stop sharing) their scores with their coach."""
    _acc, member = _participant(programme_id)
    form = forms.SharingForm()
    if form.validate_on_submit():
        outcomes.set_sharing(member, form.share.data)
    return redirect(url_for("outcomes.index", programme_id=programme_id))


@bp.route("/questionnaires/<int:wave_id>/<key>", methods=["GET", "POST"])
@login_required
def answer(programme_id: int, wave_id: int, key: str):
    """The participant: answer one questionnaire, one item per row; saved as they go."""
    acc, member = _participant(programme_id)
    try:
        wave, instrument, texts, saved, _r = outcomes.open_questionnaire(member, wave_id, key, _today(acc.programme))
    except RuleViolation as exc:
        return render_template("outcomes/closed.html", programme=acc.programme, message=exc.message), 409
    form = forms.questionnaire_form(instrument, texts)
    if request.method == "GET":
        for number, value in saved.items():
            getattr(form, f"item_{number}").data = value
    elif form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            outcomes.save_answers(member, wave_id, key, form.answers(), submit=submit, now=utcnow())
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if request.headers.get("X-Autosave"):
                return "", 204
            target = "outcomes.result" if submit else "outcomes.index"
            return redirect(url_for(target, programme_id=programme_id, wave_id=wave_id, key=key)
                            if submit else url_for(target, programme_id=programme_id))
    return render_template("outcomes/answer.html", programme=acc.programme, wave=wave,
                           instrument=instrument, form=form)


@bp.get("/questionnaires/<int:wave_id>/<key>/done")
@login_required
def result(programme_id: int, wave_id: int, key: str):
    """The participant alone: their scores, and where to find support if a score is high-risk."""
    acc, member = _participant(programme_id)
    return render_template("outcomes/result.html", programme=acc.programme,
                           result=outcomes.result_for(member, wave_id, key))


@bp.route("/outcomes/setup", methods=["GET", "POST"])
@login_required
def setup(programme_id: int):
    """Its lead: choose questionnaires and wave dates, and the support resources to offer."""
    programme = _lead(programme_id).programme
    form, support = forms.SetupForm(prefix="setup"), forms.SupportForm(prefix="support")
    form.instruments.choices = as_choices((i.key, i.title) for i in outcomes.instruments.catalogue().values())
    if request.method == "GET":
        _fill_setup(form, support, programme)
    elif request.form.get("form") == "support" and support.validate_on_submit():
        outcomes.save_support_resources(programme, support.resources.data or "")
        return redirect(url_for("outcomes.setup", programme_id=programme_id))
    elif request.form.get("form") == "setup" and form.validate_on_submit():
        try:
            outcomes.configure(programme, form.instruments.data, [outcomes.WaveDates(
                kind, getattr(form, f"{kind.replace('-', '_')}_opens").data,
                getattr(form, f"{kind.replace('-', '_')}_closes").data) for kind in outcomes.WAVE_KINDS])
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            return redirect(url_for("outcomes.evaluate", programme_id=programme_id))
    return render_template("outcomes/setup.html", programme=programme, form=form, support=support,
                           need_wording=outcomes.instruments.without_wording(
                               list(outcomes.instruments.catalogue().values())))


def _fill_setup(form, support, programme) -> None:
    form.instruments.data, dates = outcomes.current_setup(programme, _today(programme))
    for d in dates:
        getattr(form, f"{d.kind.replace('-', '_')}_opens").data = d.opens_on
        getattr(form, f"{d.kind.replace('-', '_')}_closes").data = d.closes_on
    support.resources.data = outcomes.resources_as_text(programme)


@bp.get("/outcomes/")
@login_required
def evaluate(programme_id: int):
    """Its lead and evaluator: the evaluation plan and its planned outcomes, per-arm outcomes
    over the waves, change, between-arm effects, reliable change, baseline balance and missing
    data, with caveats; the evaluator also finds the record-level exports here. The figures are
    remembered against the programme's data version (``memo.remembered``), for each reader's
    rights and date."""
    reader = disclosure.reader(current_user, programme_id)
    acc, programme = reader.access, reader.programme
    key, _, scale_key = request.args.get("scale", "").partition("/")
    today, evaluator = _today(programme), acc.has("evaluator")
    shown = _remembered(programme, ("evaluation", key, scale_key, today, reader.live, evaluator),
                        lambda: _evaluation(programme, key, scale_key, today, reader.live, evaluator))
    if shown is None:
        target = "outcomes.flow" if evaluator else "outcomes.setup"
        return redirect(url_for(target, programme_id=programme_id))
    return render_template("outcomes/evaluate.html", programme=programme, shown=shown,
                           export_form=forms.ExportForm(), evaluator=evaluator)


class _Shown(NamedTuple):
    """The evaluation page's figures, rendered: its scale, and the list of measures and the
    analysis as HTML."""

    instrument: instruments.Instrument
    scale: instruments.Scale
    measures: Markup
    analysis: Markup


def _evaluation(programme, key: str, scale_key: str, today, live: bool, evaluator: bool) -> _Shown | None:
    page = trial_analysis.page(programme, key, scale_key, today=today, live=live)
    if page is None:
        return None
    result = page.overview.result
    context = {"programme": programme, "chosen": page.overview.chosen, "result": result,
               "dose": page.overview.dose, "trial": page.trial, "caveats": evaluation.CAVEATS,
               "evaluator": evaluator}
    return _Shown(result.instrument, result.scale,
                  Markup(render_template("outcomes/_evaluation_measures.html", **context)),
                  Markup(render_template("outcomes/_evaluation_analysis.html", **context)))


@bp.route("/outcomes/plan", methods=["GET", "POST"])
@login_required
def plan(programme_id: int):
    """Its lead and evaluator: the evaluation plan, a form for its next version (a deviation,
    with a reason, once locked), and the lock."""
    programme = _analyst(programme_id).programme
    view = evaluation_plan.plan_for(programme)
    form = _plan_form(programme, view)
    if form.validate_on_submit():
        try:
            outcome = run_once(form, lambda: evaluation_plan.save_version(
                programme, current_user, primary_outcome=form.primary_outcome.data,
                secondary_outcomes=form.secondary_outcomes.data or [], timepoint=form.timepoint.data,
                analysis=form.analysis.data, alpha=form.alpha.data, missing_data=form.missing_data.data,
                reason=form.reason.data or "", now=utcnow()),
                lambda _v: url_for("outcomes.plan", programme_id=programme_id))
            if not outcome.created:
                return already_sent(outcome)
            flash("Saved the evaluation plan.", "success")
            return redirect(outcome.url)
        except RuleViolation as exc:
            apply_violation(form, exc)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("outcomes/plan.html", programme=programme, view=view, form=form,
                           lock_form=forms.LockForm()), status


def _plan_form(programme, view):
    """The plan form, on GET filled from the current version (or the suggested wording)."""
    if request.method != "GET":
        form = forms.PlanForm()
    elif view.current:
        form = forms.PlanForm(obj=view.current, reason="")
    else:
        form = forms.PlanForm(analysis=evaluation_plan.DEFAULT_ANALYSIS, alpha=0.05, timepoint="post",
                              missing_data=evaluation_plan.DEFAULT_MISSING)
    form.primary_outcome.choices = form.secondary_outcomes.choices = as_choices(
        evaluation_plan.outcome_choices(programme))
    form.timepoint.choices = as_choices(evaluation_plan.TIMEPOINTS)
    return form


@bp.post("/outcomes/plan/lock")
@login_required
def lock_plan(programme_id: int):
    """Its lead and evaluator: lock the plan; later changes are kept as deviations."""
    programme = _analyst(programme_id).programme
    if forms.LockForm().validate_on_submit():
        try:
            evaluation_plan.lock(programme, current_user, now=utcnow())
            flash("Locked the evaluation plan.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for("outcomes.plan", programme_id=programme_id))


@bp.get("/outcomes/evaluation.csv")
@login_required
def evaluation_table(programme_id: int):
    """Its lead and evaluator: the evaluation's own tables for every scale as CSV, under the
    page's rules."""
    result = report_tables.evaluation_table(current_user, programme_id, now=utcnow())
    return Response(result.text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.get("/outcomes/flow")
@login_required
def flow(programme_id: int):
    """Its lead and evaluator: the participant flow per arm, CONSORT-style."""
    acc = _analyst(programme_id)
    boxes, diagram = _remembered(acc.programme, ("flow",), lambda: evaluation.flow_with_diagram(acc.programme))
    return render_template("outcomes/flow.html", programme=acc.programme, boxes=boxes,
                           diagram=diagram, evaluator=acc.has("evaluator"))


@bp.get("/outcomes/retention")
@login_required
def retention_page(programme_id: int):
    """Its lead: who is still in post (by name), survival in post per arm, and forms to record
    leaving. Its evaluator: the survival per arm only, no names."""
    acc = _analyst(programme_id)
    if acc.has("evaluator"):
        today = _today(acc.programme)
        page = retention.overview(acc.programme, today, names=False, known=_retention_figures(acc.programme, today))
        return render_template("outcomes/retention.html", programme=acc.programme, members=None,
                               arms=page.arms, chart=page.chart, categories=page.categories,
                               evaluator=True)
    return _retention(acc.programme, forms.LeavingForm(), forms.ImportForm())


def _retention(programme, leaving, upload, status=200):
    today = _today(programme)
    page = retention.overview(programme, today, page=list_args(request.args, {}).page,
                              known=_retention_figures(programme, today))
    leaving.membership_id.choices = as_choices((m.id, f"{m.display_name} ({m.arm})")
                                               for m in page.members.items)
    return render_template("outcomes/retention.html", programme=programme, members=page.members,
                           arms=page.arms, chart=page.chart, categories=page.categories,
                           category_labels=retention.CATEGORY_LABELS, leaving=leaving,
                           upload=upload, evaluator=False), status


def _retention_figures(programme, today):
    # Remembered without names: the lead's page of names is read every time.
    return _remembered(programme, ("retention", today), lambda: retention.figures(programme, today))


@bp.post("/outcomes/retention/record")
@login_required
def record_leaving(programme_id: int):
    """Its lead: record that a participant left post (or is back in post)."""
    programme = _lead(programme_id).programme
    form = forms.LeavingForm()
    form.membership_id.choices = as_choices(retention.choice(programme, _posted_id()))
    if form.validate_on_submit():
        try:
            retention.record_leaving(current_user, programme, form.membership_id.data, form.left_on.data,
                                     form.reason.data or "", today=_today(programme),
                                     category=form.category.data or retention.UNKNOWN)
            return redirect(url_for("outcomes.retention_page", programme_id=programme_id))
        except RuleViolation as exc:
            apply_violation(form, exc)
    return _retention(programme, form, forms.ImportForm(), 400)


def _posted_id() -> int | None:
    """The membership id posted to the "record leaving" form, None when it is not a number."""
    try:
        return int(request.form.get("membership_id", ""))
    except ValueError:
        return None


@bp.post("/outcomes/retention/import")
@login_required
def import_retention(programme_id: int):
    """Its lead: import leaving dates from a CSV file (email, left_on, reason)."""
    programme = _lead(programme_id).programme
    form = forms.ImportForm()
    if form.validate_on_submit():
        text = uploaded_text(form.file.data)
        try:
            retention.import_csv(current_user, programme, text, today=_today(programme))
            return redirect(url_for("outcomes.retention_page", programme_id=programme_id))
        except RuleViolation as exc:
            apply_violation(form, exc)
    return _retention(programme, forms.LeavingForm(), form, 400)


@bp.post("/outcomes/export/<name>")
@login_required
def export(programme_id: int, name: str):
    """Its evaluator only: the long CSV with codes (audited), its codebook, and R and SPSS syntax."""
    if not forms.ExportForm().validate_on_submit():
        abort(400)
    result = exports.export_file(current_user, programme_id, name)
    return Response(result.text, mimetype=result.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.get("/outcomes/shared")
@login_required
def shared(programme_id: int):
    """Its trainers: the scores of participants who chose to share them with their coach."""
    acc = access.require_membership(current_user, programme_id, ("trainer",))
    return render_template("outcomes/shared.html", programme=acc.programme,
                           rows=outcomes.shared_scores(acc.programme))


@bp.get("/outcomes/board")
@login_required
def board(programme_id: int):
    """Its lead and evaluator: the board report, one printable page."""
    reader = disclosure.reader(current_user, programme_id)
    programme = reader.programme
    page = board_report.report(programme, today=_today(programme), live=reader.live)
    return render_template("outcomes/board/report.html", programme=programme, report=page,
                           completer=costs.COMPLETER, evaluator=reader.access.has("evaluator"))
