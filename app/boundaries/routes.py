"""Views of the boundaries blueprint: block, unblock, mute and unmute a person; list whom you block and mute."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from app import safety
from app.extensions import db
from app.main.forms import EmptyForm
from app.models import User
from app.pagination import page_arg
from app.validators import is_valid_account_name
from app.web.security import is_safe_next

bp = Blueprint("boundaries", __name__)


def _other_user(username: str) -> User:
    """Return the person named, after checking the form's CSRF token; 404 for an unknown name."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = db.session.scalar(User.by_username(username)) if is_valid_account_name(username) else None
    if user is None:
        abort(404)
    return user


def _change(username: str, change, message: str):
    """Apply `change(current_user, user)`, commit and go back to the page the button was on."""
    user = _other_user(username)
    try:
        change(current_user, user)
    except safety.CannotTargetYourself:
        flash(_("You cannot block or mute yourself."), "warning")
        return redirect(url_for("main.user", username=user.username))
    db.session.commit()
    flash(message % {"username": user.username}, "info")
    next_page = request.form.get("next")
    return redirect(next_page if is_safe_next(next_page) else url_for("main.user", username=user.username))


@bp.route("/user/<username>/block", methods=["POST"])
@login_required
def block(username: str):
    """Block a person: follows end both ways, and neither sees or reaches the other."""
    return _change(username, safety.block, _("You blocked %(username)s."))


@bp.route("/user/<username>/unblock", methods=["POST"])
@login_required
def unblock(username: str):
    """Lift a block."""
    return _change(username, safety.unblock, _("You no longer block %(username)s."))


@bp.route("/user/<username>/mute", methods=["POST"])
@login_required
def mute(username: str):
    """Mute a person: their posts, reposts and mentions are hidden from you (they are not told)."""
    return _change(username, safety.mute, _("You muted %(username)s."))


@bp.route("/user/<username>/unmute", methods=["POST"])
@login_required
def unmute(username: str):
    """Lift a mute."""
    return _change(username, safety.unmute, _("You no longer mute %(username)s."))


@bp.route("/settings/blocks")
@login_required
def settings():
    """List the people you block and those you mute (each paginated), with a button to undo each."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    blocks_page, mutes_page = page_arg("blocks_page"), page_arg("mutes_page")
    blocked = safety.page_of(safety.blocked_users(current_user), blocks_page, per_page)
    muted = safety.page_of(safety.muted_users(current_user), mutes_page, per_page)
    if (blocks_page > 1 and not blocked.items) or (mutes_page > 1 and not muted.items):
        abort(404)
    return render_template(
        "boundaries/settings.html",
        title=_("Blocked and muted people"),
        blocked=blocked,
        muted=muted,
        blocks_page=blocks_page,
        mutes_page=mutes_page,
        form=EmptyForm(),
    )
