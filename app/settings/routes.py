"""Views of the settings blueprint."""

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import _
from flask_login import current_user, login_required, logout_user

from app import accounts, twofactor
from app.extensions import db, limiter
from app.models import Permission, User
from app.settings.forms import ConfirmForm, DeleteAccountForm, DisableTwoFactorForm, EnableTwoFactorForm
from app.validators import is_valid_id
from app.web.permissions import permission_required

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
        elif current_user.totp_secret is not None and not twofactor.check_code(current_user, form.code.data or ""):
            form.code.errors.append(_("Invalid code"))
        else:
            user = db.session.get(User, current_user.id)
            logout_user()
            accounts.delete_account(user)
            db.session.commit()
            flash(_("Your account and everything you wrote have been deleted."), "info")
            return redirect(url_for("auth.login"))
    if current_user.totp_secret is None:
        del form.code
    return render_template(
        "settings/delete_account.html", title=_("Delete your account"), form=form, export_form=ConfirmForm()
    )


@bp.route("/users/<int:id>/delete", methods=["POST"])
@permission_required(Permission.ADMIN)
def delete_user(id: int):
    """An administrator deletes someone's account (from the moderation pages)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, id) if is_valid_id(id) else None
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


# The secret being set up, kept in the (signed) session until its first code verifies.
SETUP_SECRET = "two_factor_setup"


@bp.route("/two_factor")
@login_required
def two_factor():
    """Whether two-factor sign-in is on, with the way to turn it on or off."""
    return render_template(
        "settings/two_factor.html", title=_("Two-factor sign-in"), disable_form=DisableTwoFactorForm()
    )


@bp.route("/two_factor/enable", methods=["GET", "POST"])
@login_required
def enable_two_factor():
    """Show a new secret as a QR code and text; turn two-factor sign-in on once its first code verifies."""
    if current_user.totp_secret is not None:
        return redirect(url_for("settings.two_factor"))
    secret = session.get(SETUP_SECRET) or twofactor.new_secret()
    session[SETUP_SECRET] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        codes = twofactor.enable(current_user, secret, form.code.data)
        if codes is not None:
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("settings/recovery_codes.html", title=_("Your recovery codes"), codes=codes)
        form.code.errors.append(_("That code does not match. Check the time on your device and try again."))
    uri = twofactor.setup_uri(current_user, secret)
    return render_template(
        "settings/enable_two_factor.html",
        title=_("Turn on two-factor sign-in"),
        form=form,
        secret=secret,
        qr_code=twofactor.qr_code_svg(uri),
    )


@bp.route("/two_factor/disable", methods=["POST"])
@login_required
@limiter.limit("10 per hour")
def disable_two_factor():
    """Turn two-factor sign-in off, with the password and a code."""
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("Invalid password"))
        elif not twofactor.check_code(current_user, form.code.data):
            form.code.errors.append(_("Invalid code"))
        else:
            twofactor.disable(current_user)
            db.session.commit()
            flash(_("Two-factor sign-in is off."), "info")
            return redirect(url_for("settings.two_factor"))
    return render_template("settings/two_factor.html", title=_("Two-factor sign-in"), disable_form=form), 400
