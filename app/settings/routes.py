"""Views of the settings blueprint."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import _
from flask_login import current_user, login_required, logout_user

from app import accounts
from app.extensions import db, limiter
from app.models import Permission, User
from app.settings.forms import ConfirmForm, DeleteAccountForm

bp = Blueprint("settings", __name__)


@bp.route("/delete_account", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete_account():
    """Delete the signed-in person's account after they give their password again; offer the export first."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("Invalid password"))
        else:
            user = db.session.get(User, current_user.id)
            logout_user()
            accounts.delete_account(user)
            db.session.commit()
            flash(_("Your account and everything you wrote have been deleted."), "info")
            return redirect(url_for("auth.login"))
    return render_template(
        "settings/delete_account.html", title=_("Delete your account"), form=form, export_form=ConfirmForm()
    )


@bp.route("/users/<int:id>/delete", methods=["POST"])
@login_required
def delete_user(id: int):
    """An administrator deletes someone's account (from the moderation pages)."""
    if not current_user.can(Permission.ADMIN):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, id) if id <= 2**31 - 1 else None
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("Delete your own account from its settings page."), "warning")
        return redirect(url_for("settings.delete_account"))
    name = user.username
    accounts.delete_account(user, by=current_user)
    db.session.commit()
    flash(_("The account %(username)s has been deleted.", username=name), "info")
    return redirect(url_for("main.index"))
