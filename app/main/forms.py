"""Forms of the main blueprint."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.extensions import db
from app.models import User
from app.validators import printable_text, username_characters


class EditProfileForm(FlaskForm):
    """Change the username and the about-me text."""

    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64), printable_text, username_characters]
    )
    about_me = TextAreaField(_l("About me"), validators=[Length(min=0, max=140), printable_text])
    submit = SubmitField(_l("Submit"))

    def __init__(self, original_username: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_username = original_username

    def validate_username(self, username):
        if username.data.lower() == self.original_username.lower():
            return
        if db.session.scalar(User.by_username(username.data)) is not None:
            raise ValidationError(_l("Please use a different username."))


class EmptyForm(FlaskForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Submit"))


class PostForm(FlaskForm):
    """Write a post."""

    post = TextAreaField(_l("Say something"), validators=[DataRequired(), Length(min=1, max=140), printable_text])
    submit = SubmitField(_l("Submit"))


class MessageForm(FlaskForm):
    """Write a private message."""

    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(min=1, max=140), printable_text])
    submit = SubmitField(_l("Submit"))
