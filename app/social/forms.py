"""Forms of the social blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.main.forms import ImagesMixin
from app.validators import printable_text
from app.web.forms import SiteForm


class ReplyForm(ImagesMixin, SiteForm):
    """Answer a post, with up to four images."""

    post = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(min=1, max=140), printable_text])
    submit = SubmitField(_l("Reply"))
