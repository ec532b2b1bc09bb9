"""The audit log: who did what to whom, when and why."""

import enum

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEntry, Report, User

# Who an entry names when a command, not a signed-in person, did it.
COMMAND_LINE = "command line"


class AuditAction(enum.StrEnum):
    """What an audit entry records (the value is what the row stores)."""

    DISMISS_REPORT = "dismiss_report"
    DELETE_POST = "delete_post"
    SUSPEND = "suspend"
    LIFT_SUSPENSION = "lift_suspension"
    EDIT_ACCOUNT = "edit_account"
    CHANGE_ROLE = "change_role"
    # Written by app.accounts when an administrator deletes an account.
    DELETE_ACCOUNT = "delete_account"


def record(
    actor: User | None,
    action: AuditAction,
    target: User | None = None,
    *,
    post_id: int | None = None,
    report: Report | None = None,
    why: str | None = None,
) -> AuditEntry:
    """Add an entry to the audit log (`actor` None: the command line); the caller commits."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else COMMAND_LINE,
        action=action.value,
        target_id=target.id if target is not None else None,
        target_name=target.username if target is not None else None,
        post_id=post_id,
        report_id=report.id if report is not None else None,
        reason=(why or "").strip()[:500] or None,
    )
    db.session.add(entry)
    return entry


def audit_log() -> sa.Select:
    """Return a select of the audit log, newest first (the names are on the rows: no joins)."""
    return sa.select(AuditEntry).order_by(AuditEntry.timestamp.desc(), AuditEntry.id.desc())
