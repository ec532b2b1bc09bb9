"""Forms of the settings blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.web.forms import SiteForm


class DeleteAccountForm(SiteForm):
    """Delete one's own account: the password again, and a box ticked on purpose."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])
    # Asked for (and checked) only when two-factor sign-in is on.
    code = StringField(_l("Two-factor code"), validators=[Length(max=32)], render_kw={"autocomplete": "one-time-code"})
    understood = BooleanField(
        _l("I understand that my posts, likes, follows and messages are deleted and cannot be restored"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))


class ConfirmForm(SiteForm):
    """A button that only needs the CSRF token (an administrator's Delete)."""


class EnableTwoFactorForm(SiteForm):
    """The first code from the authenticator app, which proves it was set up."""

    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class DisableTwoFactorForm(SiteForm):
    """Turning two-factor sign-in off takes the password and a code."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])
    code = StringField(
        _l("Code from your app or a recovery code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Turn off two-factor sign-in"))
