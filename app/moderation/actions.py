"""What moderators and administrators do to reports and accounts; each action is audited."""

import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Permission, Report, ReportStatus, Role, User, utcnow
from app.moderation.audit import AuditAction, record


class CannotModerate(Exception):
    """The action does not apply: one's own account, or a moderator acted on by a non-administrator."""


def dismiss(report: Report, by: User, why: str) -> None:
    """Close `report` with nothing done; the caller commits."""
    _close(Report.id == report.id, by, ReportStatus.DISMISSED)
    record(by, AuditAction.DISMISS_REPORT, report.reported, post_id=report.post_id, report=report, why=why)


def delete_reported_post(report: Report, by: User, why: str) -> None:
    """Delete the reported post the way its author would (counters, search, tombstone) and close its reports."""
    post = report.post
    record(by, AuditAction.DELETE_POST, report.reported, post_id=report.post_id, report=report, why=why)
    _close(Report.post_id == report.post_id, by, ReportStatus.ACTIONED)
    if post is not None and not post.is_deleted:
        conversations.delete(post)


def suspend(user: User, by: User, why: str, report: Report | None = None) -> None:
    """Suspend `user`: no sign-in, every session and the API token end, its open reports close."""
    _check_may_act_on(user, by)
    user.suspended_at = utcnow()
    user.end_sessions()
    if user.token:
        user.revoke_token()
    record(by, AuditAction.SUSPEND, user, post_id=report.post_id if report else None, report=report, why=why)
    _close(Report.reported_id == user.id, by, ReportStatus.ACTIONED)


def lift_suspension(user: User, by: User, why: str) -> None:
    """Let a suspended account sign in again; the caller commits."""
    user.suspended_at = None
    record(by, AuditAction.LIFT_SUSPENSION, user, why=why)


def suspended_accounts() -> sa.Select:
    """Return a select of the suspended accounts, most recently suspended first."""
    return sa.select(User).where(User.suspended_at.is_not(None)).order_by(User.suspended_at.desc(), User.id)


def edit_account(user: User, by: User, *, username: str, email: str, role: Role, confirmed: bool) -> list[str]:
    """Change an account as an administrator; return what changed ("field: old -> new"), also in the audit log."""
    old = {"username": user.username, "email": user.email, "role": user.role, "confirmed": user.confirmed}
    user.username, user.email, user.role, user.confirmed = username, email, role.value, confirmed
    new = {"username": user.username, "email": user.email, "role": user.role, "confirmed": user.confirmed}
    changes = [f"{field}: {old[field]} -> {new[field]}" for field in old if old[field] != new[field]]
    if changes:
        record(by, AuditAction.EDIT_ACCOUNT, user, why="; ".join(changes))
    return changes


def set_role(user: User, role: Role) -> None:
    """Give `user` another role from the command line (audited as the command line); the caller commits."""
    if user.role != role.value:
        previous, user.role = user.role, role.value
        record(None, AuditAction.CHANGE_ROLE, user, why=f"role: {previous} -> {role.value}")


def _check_may_act_on(user: User, by: User) -> None:
    if user.id == by.id or (user.can(Permission.MODERATE) and not by.can(Permission.ADMIN)):
        raise CannotModerate


def _close(which: sa.ColumnElement[bool], by: User, status: ReportStatus) -> None:
    db.session.execute(
        sa.update(Report)
        .where(which, Report.status == ReportStatus.OPEN)
        .values(status=status.value, resolved_at=utcnow(), resolved_by_id=by.id)
        .execution_options(synchronize_session="fetch")
    )
