"""Forms of the moderation blueprint."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.extensions import db
from app.models import ReportReason, Role, User
from app.moderation import AuditAction
from app.validators import printable_text, username_characters
from app.web.forms import SiteForm

REASONS = {
    ReportReason.SPAM: _l("Spam"),
    ReportReason.ABUSE: _l("Abuse or harassment"),
    ReportReason.ILLEGAL: _l("Illegal content"),
    ReportReason.OTHER: _l("Something else"),
}
# How the audit log names each action.
ACTIONS = {
    AuditAction.DISMISS_REPORT: _l("dismissed a report"),
    AuditAction.DELETE_POST: _l("deleted a post"),
    AuditAction.SUSPEND: _l("suspended an account"),
    AuditAction.LIFT_SUSPENSION: _l("lifted a suspension"),
    AuditAction.EDIT_ACCOUNT: _l("edited an account"),
    AuditAction.CHANGE_ROLE: _l("changed a role"),
    AuditAction.DELETE_ACCOUNT: _l("deleted an account"),
}
ROLES = {Role.USER: _l("User"), Role.MODERATOR: _l("Moderator"), Role.ADMINISTRATOR: _l("Administrator")}


class ReportForm(SiteForm):
    """Why a post or an account should be looked at."""

    reason = SelectField(_l("Reason"), choices=[SelectChoice(reason.value, label) for reason, label in REASONS.items()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=500), printable_text])
    submit = SubmitField(_l("Send the report"))


class RemoteReportForm(ReportForm):
    """A report on an account of another server (or its post), which may go to that server too."""

    forward = BooleanField(_l("Also send the report to its server (without your name)"))
    submit = SubmitField(_l("Send the report"))


class ActionForm(SiteForm):
    """A moderator's action: the buttons of the queue and the suspension list post it, with why."""

    why = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=500), printable_text])


class EditAccountForm(SiteForm):
    """An administrator changes someone's name, address, role and confirmation."""

    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64), printable_text, username_characters]
    )
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=120), printable_text, Email(check_deliverability=False)]
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLES.items()])
    confirmed = BooleanField(_l("Email address confirmed"))
    submit = SubmitField(_l("Save"))

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_username(self, username):
        other = db.session.scalar(User.by_username(username.data))
        if other is not None and other.id != self.user.id:
            raise ValidationError(_l("Please use a different username."))

    def validate_email(self, email):
        other = db.session.scalar(sa.select(User).where(User.email == email.data.strip().lower()))
        if other is not None and other.id != self.user.id:
            raise ValidationError(_l("Please use a different email address."))
