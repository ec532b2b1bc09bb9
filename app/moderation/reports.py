"""Reports: a signed-in person tells the moderators about a post or an account."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Post, Report, ReportReason, ReportStatus, User


class AlreadyReported(Exception):
    """This person's report of this post or account is still open."""


class CannotReport(Exception):
    """One's own post or account, or a deleted post, cannot be reported."""


def report_post(reporter: User, post: Post, reason: str, comment: str | None = None) -> Report:
    """File `reporter`'s report of `post` (a repost's original); the caller commits.

    Raises ValueError for a reason not in ReportReason, CannotReport and AlreadyReported.
    """
    post = post.shown
    if post.is_deleted or post.user_id == reporter.id:
        raise CannotReport
    return _file(reporter, post.user_id, post.id, reason, comment)


def report_account(reporter: User, user: User, reason: str, comment: str | None = None) -> Report:
    """File `reporter`'s report of the account `user`; the caller commits (raises as `report_post`)."""
    if user.id == reporter.id:
        raise CannotReport
    return _file(reporter, user.id, None, reason, comment)


def _file(reporter: User, reported_id: int, post_id: int | None, reason: str, comment: str | None) -> Report:
    reason = ReportReason(reason)
    # One open report per reporter and target: a second one would only lengthen the queue.
    same = sa.select(Report.id).where(
        Report.reporter_id == reporter.id,
        Report.status == ReportStatus.OPEN,
        Report.reported_id == reported_id,
        Report.post_id.is_(None) if post_id is None else Report.post_id == post_id,
    )
    if db.session.scalar(same.limit(1)) is not None:
        raise AlreadyReported
    report = Report(
        reporter_id=reporter.id,
        reported_id=reported_id,
        post_id=post_id,
        reason=reason.value,
        comment=(comment or "").strip() or None,
        status=ReportStatus.OPEN,
    )
    db.session.add(report)
    return report


def open_reports(newest_first: bool = False) -> sa.Select:
    """Return a select of the open reports, oldest (or newest) first, with what the queue shows of each.

    The reporter's and the reported account's rows, the post's card and the card of the post it
    answers all come in the same query.
    """
    created = Report.created_at.desc() if newest_first else Report.created_at
    report_id = Report.id.desc() if newest_first else Report.id
    cards = Post.card_options()
    return (
        sa.select(Report)
        .where(Report.status == ReportStatus.OPEN)
        .order_by(created, report_id)
        .options(
            so.joinedload(Report.reporter),
            so.joinedload(Report.reported),
            so.joinedload(Report.post).options(*cards, so.joinedload(Post.parent).options(*cards)),
        )
    )
