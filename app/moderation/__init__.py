"""Moderation: reports, the moderators' actions on them, the audit log and the administrator overview.

The moderation pages and the API call these functions; they act on the models and leave the
commit to the caller. Every action of a moderator or administrator writes an AuditEntry.
"""

from app.moderation.actions import (
    CannotModerate,
    delete_reported_post,
    dismiss,
    edit_account,
    lift_suspension,
    set_role,
    suspend,
    suspended_accounts,
)
from app.moderation.audit import AuditAction, audit_log, record
from app.moderation.overview import DAYS, Counts, Day, counts, daily_activity
from app.moderation.reports import AlreadyReported, CannotReport, open_reports, report_account, report_post

__all__ = [
    "DAYS",
    "AlreadyReported",
    "AuditAction",
    "CannotModerate",
    "CannotReport",
    "Counts",
    "Day",
    "audit_log",
    "counts",
    "daily_activity",
    "delete_reported_post",
    "dismiss",
    "edit_account",
    "lift_suspension",
    "open_reports",
    "record",
    "report_account",
    "report_post",
    "set_role",
    "suspend",
    "suspended_accounts",
]
