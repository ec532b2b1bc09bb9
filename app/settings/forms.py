"""Forms of the settings blueprint."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    """Delete one's own account: the password again, and a box ticked on purpose."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])
    understood = BooleanField(
        _l("I understand that my posts, likes, follows and messages are deleted and cannot be restored"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (an administrator's Delete)."""
