"""Background tasks: start an export of your posts and follow its progress."""

from flask import abort, g, url_for
from werkzeug.exceptions import ServiceUnavailable

from app.api import schemas
from app.api.blueprint import bp
from app.api.representation import dump
from app.extensions import db
from app.models import Task
from app.tasks import JobsUnavailable, start_export


@bp.route("/tasks/export_posts", methods=["POST"], errors=(409, 503))
@bp.response(202, schemas.Task, headers={"Location": {"schema": {"type": "string"}}})
def export_posts():
    """Start exporting your posts by email; one export runs at a time."""
    try:
        task = start_export(g.current_user)
    except JobsUnavailable:
        raise ServiceUnavailable("Exports are unavailable right now. Please try again later.", retry_after=30) from None
    if task is None:
        abort(409, "An export of your posts is already running.")
    return dump(task), {"Location": url_for("api.get_task", id=task.id)}


@bp.route("/tasks/<string(maxlength=36):id>", methods=["GET"], errors=(403, 404))
@bp.response(200, schemas.Task)
def get_task(id: str):
    """Return one of your tasks, with its progress."""
    task = db.session.get(Task, id)
    if task is None:
        abort(404, "There is no task with this id.")
    if task.user_id != g.current_user.id:
        abort(403, "This task is not yours.")
    task.fail_if_stale()
    return dump(task)
