"""Views of the moderation blueprint: reports by anyone, the queue for moderators, the admin pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app import conversations, federation, moderation
from app.extensions import db
from app.main.routes import get_user_or_404
from app.models import Permission, Post, Report, ReportStatus, Role, User
from app.moderation_pages.forms import ACTIONS, REASONS, ActionForm, EditAccountForm, RemoteReportForm, ReportForm
from app.pagination import paginate_request
from app.validators import is_valid_id
from app.web.permissions import permission_required

bp = Blueprint("moderation", __name__)

# Reports and audit entries shown per page.
PER_PAGE = 20


# Reporting (anyone signed in)


@bp.route("/post/<int:id>/report", methods=["GET", "POST"])
@login_required
def report_post(id: int):
    """Report a post to the moderators, with a reason and an optional comment."""
    post = db.session.get(Post, id) if is_valid_id(id) else None
    if post is None or post.shown.is_deleted:
        abort(404)
    post = post.shown
    back = url_for("social.thread", id=post.id)
    return _report(
        lambda reason, comment: moderation.report_post(current_user, post, reason, comment),
        back,
        reported=post.author,
        post=post,
    )


@bp.route("/user/<username>/report", methods=["GET", "POST"])
@login_required
def report_user(username: str):
    """Report an account to the moderators."""
    user = get_user_or_404(username)
    back = url_for("main.user", username=user.username)
    return _report(
        lambda reason, comment: moderation.report_account(current_user, user, reason, comment),
        back,
        reported=user,
        user=user,
    )


def _report(file_report, back: str, reported: User, **shown):
    """Show the report form for what `shown` names, or file it with `file_report(reason, comment)` and go `back`.

    A report on an account of another server may be forwarded to it as well (app.federation).
    """
    remote = reported.is_remote and current_app.config.get("FEDERATION")
    form = RemoteReportForm() if remote else ReportForm()
    if form.validate_on_submit():
        try:
            file_report(form.reason.data, form.comment.data)
        except moderation.CannotReport:
            flash(_("You cannot report your own posts or account."), "warning")
            return redirect(back)
        except moderation.AlreadyReported:
            flash(_("You have already reported this. Thank you, the moderators will look at it."), "info")
            return redirect(back)
        db.session.commit()
        flash(_("Thank you for your report. The moderators will look at it."), "success")
        if remote and form.forward.data:
            federation.forward_report(reported, shown.get("post"), form.comment.data)
            flash(_("The report was sent to %(host)s too.", host=reported.domain), "info")
        return redirect(back)
    return render_template("moderation/report.html", title=_("Report"), form=form, back=back, **shown)


# The moderators' queue


@bp.route("/moderation")
@permission_required(Permission.MODERATE)
def queue():
    """List the open reports, oldest first (or `?order=newest`), each post in its context."""
    newest = request.args.get("order") == "newest"
    reports = paginate_request(moderation.open_reports(newest_first=newest), PER_PAGE)
    posts = [report.post for report in reports.items if report.post is not None]
    conversations.annotate(posts + [post.parent for post in posts if post.parent is not None], current_user)
    return render_template(
        "moderation/queue.html",
        title=_("Moderation"),
        reports=reports,
        reasons=REASONS,
        endpoint="moderation.queue",
        endpoint_args={"order": "newest"} if newest else {},
        newest=newest,
    )


def _open_report_or_404(id: int) -> Report:
    report = db.session.get(Report, id) if is_valid_id(id) else None
    if report is None or report.status != ReportStatus.OPEN:
        abort(404)
    return report


def _acted(action, done: str, back: str = "moderation.queue"):
    """Run a moderator's action once the form's "why" is given, then go back to the list."""
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("Say why (at most 500 characters)."), "warning")
        return redirect(url_for(back))
    try:
        action(form.why.data)
    except moderation.CannotModerate:
        flash(_("You cannot do that to this account."), "warning")
        return redirect(url_for(back))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(back))


@bp.route("/moderation/reports/<int:id>/dismiss", methods=["POST"])
@permission_required(Permission.MODERATE)
def dismiss(id: int):
    """Close a report without acting on it."""
    report = _open_report_or_404(id)
    return _acted(lambda why: moderation.dismiss(report, current_user, why), _("The report was dismissed."))


@bp.route("/moderation/reports/<int:id>/delete_post", methods=["POST"])
@permission_required(Permission.MODERATE)
def delete_post(id: int):
    """Delete the post a report is about."""
    report = _open_report_or_404(id)
    if report.post_id is None:
        abort(404)
    return _acted(lambda why: moderation.delete_reported_post(report, current_user, why), _("The post was deleted."))


@bp.route("/moderation/reports/<int:id>/suspend", methods=["POST"])
@permission_required(Permission.MODERATE)
def suspend(id: int):
    """Suspend the account a report is about (or the author of the post reported)."""
    report = _open_report_or_404(id)
    name = report.reported.username
    return _acted(
        lambda why: moderation.suspend(report.reported, current_user, why, report=report),
        _("%(username)s is suspended.", username=name),
    )


@bp.route("/moderation/suspended")
@permission_required(Permission.MODERATE)
def suspended():
    """List the suspended accounts, with a form to lift each suspension."""
    users = paginate_request(moderation.suspended_accounts(), PER_PAGE)
    return render_template(
        "moderation/suspended.html",
        title=_("Suspended accounts"),
        users=users,
        endpoint="moderation.suspended",
        endpoint_args={},
    )


@bp.route("/moderation/users/<int:id>/lift_suspension", methods=["POST"])
@permission_required(Permission.MODERATE)
def lift_suspension(id: int):
    """Let a suspended account sign in again."""
    user = db.session.get(User, id) if is_valid_id(id) else None
    if user is None or not user.is_suspended:
        abort(404)
    return _acted(
        lambda why: moderation.lift_suspension(user, current_user, why),
        _("The suspension of %(username)s is lifted.", username=user.username),
        back="moderation.suspended",
    )


# Administrators


@bp.route("/admin")
@permission_required(Permission.ADMIN)
def overview():
    """Show the site's figures and a chart of the last 30 days' sign-ups and posts."""
    days = moderation.daily_activity()
    return render_template(
        "moderation/overview.html",
        title=_("Administration"),
        counts=moderation.counts(),
        days=days,
        peak=max([1, *(max(day.signups, day.posts) for day in days)]),
    )


@bp.route("/admin/audit")
@permission_required(Permission.ADMIN)
def audit():
    """List the audit log, newest first."""
    entries = paginate_request(moderation.audit_log(), PER_PAGE)
    return render_template(
        "moderation/audit.html",
        title=_("Audit log"),
        entries=entries,
        actions=ACTIONS,
        endpoint="moderation.audit",
        endpoint_args={},
    )


@bp.route("/admin/users/<username>/edit", methods=["GET", "POST"])
@permission_required(Permission.ADMIN)
def edit_user(username: str):
    """Change anyone's username, email address, role and confirmation."""
    user = get_user_or_404(username)
    form = EditAccountForm(user)
    if form.validate_on_submit():
        changes = moderation.edit_account(
            user,
            current_user,
            username=form.username.data.strip(),
            email=form.email.data,
            role=Role(form.role.data),
            confirmed=form.confirmed.data,
        )
        try:
            db.session.commit()
        except IntegrityError:
            # Another request took the name or address between the check and the update.
            db.session.rollback()
            form.username.errors.append(_("Please use a different username or email address."))
        else:
            flash(_("The account is saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("moderation.edit_user", username=user.username))
    elif request.method == "GET":
        form.username.data, form.email.data = user.username, user.email
        form.role.data, form.confirmed.data = user.role, user.confirmed
    return render_template(
        "moderation/edit_user.html", title=_("Edit %(username)s", username=user.username), form=form, user=user
    )
