"""Views of the auth blueprint."""

import secrets
import time
from functools import cache

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app import confirmation, twofactor
from app.auth.email import send_password_reset_email
from app.auth.forms import (
    ChangeEmailForm,
    ConfirmEmailForm,
    LoginForm,
    RegistrationForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    ResetPasswordRequestForm,
    TwoFactorForm,
)
from app.extensions import db, limiter
from app.models import User
from app.web.rate_limits import auth_limit, limit_per_account, limit_per_session, take_confirmation_email
from app.web.security import is_safe_next

bp = Blueprint("auth", __name__)

# Pages for signing in or getting back in: a signed-in user who opens one is sent home instead.
SIGNED_OUT_PAGES = frozenset(
    {"auth.login", "auth.two_factor", "auth.register", "auth.reset_password_request", "auth.reset_password"}
)
# A password checked for an account with two-factor sign-in, waiting for its code (in the signed session).
PENDING_SIGN_IN = "two_factor_pending"
PENDING_SECONDS = 300
# What an account waiting for its confirmation may still open: the pages that get it confirmed,
# signing out, assets, health checks, the language menu and the navbar's polling. The API checks
# confirmation itself (a 403 JSON answer).
OPEN_TO_UNCONFIRMED = frozenset(
    {
        "auth.unconfirmed",
        "auth.resend_confirmation",
        "auth.confirm",
        "auth.change_email",
        "auth.logout",
        "static",
        "health.healthz",
        "main.set_language",
        "main.notifications",
    }
)


@bp.before_request
def send_signed_in_users_home():
    """Redirect a signed-in user away from the sign-in, registration and reset pages."""
    if request.endpoint in SIGNED_OUT_PAGES and current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return None


@bp.before_app_request
def hold_unconfirmed_accounts():
    """Send a signed-in account that must still confirm its address to `/auth/unconfirmed`."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_TO_UNCONFIRMED or endpoint.startswith(("bootstrap.", "api.", "api_docs.")):
        return None
    # current_user is loaded for the session already: this check adds no query.
    if current_user.is_authenticated and confirmation.needs_confirmation(current_user):
        return redirect(url_for("auth.unconfirmed"))
    return None


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _check_password_in_constant_time(user: User | None, password: str) -> bool:
    """Check the password; for an unknown user, hash anyway so both failures take as long."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


@bp.route("/login", methods=["GET", "POST"])
@limit_per_account("username")
def login():
    """Sign a user in and send them to a local `next` page."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(User.by_username(form.username.data))
        if not _check_password_in_constant_time(user, form.password.data):
            flash(_("Invalid username or password"), "danger")
            return redirect(url_for("auth.login", next=request.args.get("next")))
        if user.is_suspended:
            flash(_("This account is suspended."), "danger")
            return redirect(url_for("auth.login"))
        if user.totp_secret is not None:
            session[PENDING_SIGN_IN] = {
                "user": user.get_id(),
                "remember": bool(form.remember_me.data),
                "next": request.args.get("next"),
                "until": time.time() + PENDING_SECONDS,
            }
            return redirect(url_for("auth.two_factor"))
        return _signed_in(user, form.remember_me.data, request.args.get("next"))
    return render_template("auth/login.html", title=_("Sign In"), form=form)


@bp.route("/two_factor", methods=["GET", "POST"])
@limit_per_session(PENDING_SIGN_IN)
def two_factor():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    pending = session.get(PENDING_SIGN_IN)
    user = User.from_session_id(pending["user"]) if pending and pending.get("until", 0) > time.time() else None
    if user is None:
        session.pop(PENDING_SIGN_IN, None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if twofactor.check_code(user, form.code.data):
            db.session.commit()  # a recovery code is used up
            session.pop(PENDING_SIGN_IN, None)
            return _signed_in(user, pending["remember"], pending["next"])
        form.code.errors.append(_("Invalid code"))
    return render_template("auth/two_factor.html", title=_("Two-factor sign-in"), form=form)


def _signed_in(user: User, remember: bool, next_page: str | None):
    login_user(user, remember=remember)
    if not is_safe_next(next_page):
        next_page = url_for("main.index")
    return redirect(next_page)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out on POST; GET only shows the button."""
    if request.method == "POST":
        if current_user.is_authenticated:
            # Logging out ends the session everywhere, remember-me cookies included.
            current_user.end_sessions()
            db.session.commit()
        logout_user()
        flash(_("You have been logged out."), "info")
        return redirect(url_for("main.index"))
    return render_template("auth/logout.html", title=_("Log Out"))


@bp.route("/register", methods=["GET", "POST"])
@limit_per_account("username")
def register():
    """Create an account."""
    form = RegistrationForm()
    if form.validate_on_submit():
        user = User(username=form.username.data, email=form.email.data)
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            # Another registration took the name or address between the check and the insert.
            db.session.rollback()
            form.username.errors.append(_("Please use a different username or email address."))
            return render_template("auth/register.html", title=_("Register"), form=form)
        confirmation.registered(user)
        flash(_("Congratulations, you are now a registered user!"), "success")
        if confirmation.required():
            flash(_("We have emailed a confirmation link to %(address)s.", address=user.email), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", title=_("Register"), form=form)


@bp.route("/reset_password_request", methods=["GET", "POST"])
@limit_per_account("email")
def reset_password_request():
    """Email a reset link; the answer is the same whether or not the address is known."""
    form = ResetPasswordRequestForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.email == form.email.data.strip().lower()))
        if user is not None:
            send_password_reset_email(user)
        flash(_("Check your email for the instructions to reset your password"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password_request.html", title=_("Reset Password"), form=form)


@bp.route("/reset_password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password with a valid, unused reset token."""
    user = User.verify_reset_password_token(token)
    if user is None:
        flash(_("This password reset link is invalid or has expired."), "warning")
        return redirect(url_for("auth.reset_password_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash(_("Your password has been reset."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", title=_("Reset Password"), form=form)


def _too_many_emails():
    flash(_("You have asked for too many emails. Please wait a while and try again."), "warning")


@bp.route("/unconfirmed")
@login_required
def unconfirmed():
    """The only page an account sees until it confirms its address: how to confirm, and "send again"."""
    if not confirmation.needs_confirmation(current_user):
        return redirect(url_for("main.index"))
    form = ResendConfirmationForm()
    return render_template("auth/unconfirmed.html", title=_("Confirm your email address"), form=form)


@bp.route("/resend_confirmation", methods=["POST"])
@login_required
def resend_confirmation():
    """Email the confirmation link again (RATELIMIT_CONFIRMATION per account)."""
    if not confirmation.needs_confirmation(current_user):
        return redirect(url_for("main.index"))
    if not ResendConfirmationForm().validate_on_submit():
        abort(400)
    if not take_confirmation_email(current_user.id):
        _too_many_emails()
    else:
        address = current_user.pending_email or current_user.email
        confirmation.send_confirmation(current_user, address)
        flash(_("A new confirmation link is on its way to %(address)s.", address=address), "info")
    return redirect(url_for("auth.unconfirmed"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Show a "Confirm" button for an emailed link (GET), and confirm the address it names (POST)."""
    found = confirmation.read_token(token)
    if found is None:
        flash(_("This confirmation link is invalid or has expired."), "warning")
        return redirect(url_for("auth.unconfirmed" if current_user.is_authenticated else "auth.login"))
    user, address = found
    form = ConfirmEmailForm()
    if not form.validate_on_submit():
        return render_template("auth/confirm.html", title=_("Confirm your email address"), form=form, address=address)
    outcome = confirmation.confirm(user, address)
    if outcome is confirmation.Outcome.ADDRESS_TAKEN:
        flash(_("%(address)s is now used by another account: choose another address.", address=address), "warning")
    elif outcome is confirmation.Outcome.EMAIL_CHANGED:
        flash(_("Your email address is now %(address)s.", address=address), "success")
    elif outcome is confirmation.Outcome.ALREADY_CONFIRMED:
        flash(_("Your email address is already confirmed."), "info")
    else:
        flash(_("Thank you: your email address is confirmed."), "success")
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if outcome is confirmation.Outcome.ADDRESS_TAKEN:
        return redirect(url_for("auth.change_email"))
    return redirect(url_for("main.index"))


@bp.route("/change_email", methods=["GET", "POST"])
@login_required
@limiter.limit(auth_limit, methods=["POST"])
def change_email():
    """Send a confirmation link to a new address; the current one stays until the link is followed."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("Invalid password"))
        elif not take_confirmation_email(current_user.id):
            _too_many_emails()
        else:
            confirmation.request_email_change(current_user, form.email.data)
            flash(
                _(
                    "We have emailed a confirmation link to %(address)s. "
                    "Your address stays %(current)s until you open it.",
                    address=current_user.pending_email,
                    current=current_user.email,
                ),
                "info",
            )
            return redirect(url_for("auth.change_email"))
    return render_template("auth/change_email.html", title=_("Change your email address"), form=form)
