"""Report a post or an account to the moderators."""

from flask import abort, g

from app import moderation
from app.api import schemas
from app.api.blueprint import bp
from app.api.posts import post_or_404
from app.api.representation import dump
from app.api.users import ID, user_or_404
from app.extensions import db

ERRORS = (400, 404, 409, 413, 415)


def file_report(report) -> dict:
    """File a report made by `report()`, answering 400, 409 or the report's representation."""
    try:
        filed = report()
    except moderation.CannotReport:
        abort(400, "You cannot report your own posts or account.")
    except moderation.AlreadyReported:
        abort(409, "You have already reported this; the moderators will look at it.")
    db.session.commit()
    return dump(filed)


@bp.route(f"/posts/{ID}/report", methods=["POST"], errors=ERRORS)
@bp.arguments(schemas.ReportCreate)
@bp.response(201, schemas.Report)
def report_post(data: dict, id: int):
    """Report a post to the moderators; the reported person never sees who reported it."""
    post = post_or_404(id)
    return file_report(lambda: moderation.report_post(g.current_user, post, data["reason"], data.get("comment")))


@bp.route(f"/users/{ID}/report", methods=["POST"], errors=ERRORS)
@bp.arguments(schemas.ReportCreate)
@bp.response(201, schemas.Report)
def report_user(data: dict, id: int):
    """Report an account to the moderators."""
    user = user_or_404(id)
    return file_report(lambda: moderation.report_account(g.current_user, user, data["reason"], data.get("comment")))
