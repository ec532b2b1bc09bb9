"""Forms of the federation blueprint's site pages."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.federation.domains import MAX_DOMAIN
from app.validators import printable_text
from app.web.forms import SiteForm

# A host name (letters, digits, hyphens, dots; an IDN in its xn-- form), with an optional port.
_HOST = re.compile(r"(?=.{1,253}(:\d{1,5})?$)([a-z0-9](-*[a-z0-9])*\.)*[a-z0-9](-*[a-z0-9])*(:\d{1,5})?", re.I)


def host_name(form, field) -> None:
    if field.data and not _HOST.fullmatch(field.data.strip().rstrip(".")):
        raise ValidationError(_l("Give a host name, such as spam.example."))


class DomainBlockForm(SiteForm):
    """A server to stop federating with."""

    domain = StringField(_l("Domain"), validators=[DataRequired(), Length(max=MAX_DOMAIN), host_name])
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=200), printable_text])
    submit = SubmitField(_l("Block"))
