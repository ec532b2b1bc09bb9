"""Forms of the auth blueprint."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app import confirmation
from app.extensions import db
from app.models import User
from app.validators import printable_text, username_characters
from app.web.forms import SiteForm

PASSWORD_LENGTH = Length(min=8, max=128)


class LoginForm(SiteForm):
    """Sign in with a username (any case) and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), printable_text])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember_me = BooleanField(_l("Remember Me"))
    submit = SubmitField(_l("Sign In"))


class TwoFactorForm(SiteForm):
    """The second step of signing in, when two-factor sign-in is on."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "autofocus": True},
    )
    submit = SubmitField(_l("Verify"))


class RegistrationForm(SiteForm):
    """Create an account."""

    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64), printable_text, username_characters]
    )
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=120), printable_text, Email(check_deliverability=False)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_LENGTH])
    password2 = PasswordField(
        _l("Repeat Password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords must match."))]
    )
    submit = SubmitField(_l("Register"))

    def validate_username(self, username):
        if db.session.scalar(User.by_username(username.data)) is not None:
            raise ValidationError(_l("Please use a different username."))

    def validate_email(self, email):
        address = email.data.strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == address)) is not None:
            raise ValidationError(_l("Please use a different email address."))


class ResetPasswordRequestForm(SiteForm):
    """Ask for a password reset link."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=120), printable_text, Email(check_deliverability=False)]
    )
    submit = SubmitField(_l("Request Password Reset"))


class ResetPasswordForm(SiteForm):
    """Choose a new password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_LENGTH])
    password2 = PasswordField(
        _l("Repeat Password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords must match."))]
    )
    submit = SubmitField(_l("Reset Password"))


class ConfirmEmailForm(SiteForm):
    """Confirm an address from the emailed link (a button, so a mail scanner's fetch confirms nothing)."""

    submit = SubmitField(_l("Confirm"))


class ResendConfirmationForm(SiteForm):
    """Ask for the confirmation email again."""

    submit = SubmitField(_l("Send the link again"))


class ChangeEmailForm(SiteForm):
    """Change one's address: the new one is confirmed by an emailed link before it replaces the old."""

    email = EmailField(
        _l("New email address"),
        validators=[DataRequired(), Length(max=120), printable_text, Email(check_deliverability=False)],
    )
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Send a confirmation link"))

    def validate_email(self, email):
        if confirmation.address_in_use(email.data):
            raise ValidationError(_l("Please use a different email address."))
