"""Forms of the avatars blueprint: upload a picture of one's own, or remove it (on the profile editor)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from app.web.forms import SiteForm

# What the file picker offers; the server decides from the bytes alone (app.media.processing).
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class PictureForm(SiteForm):
    """A picture file to show instead of the generated one."""

    picture = FileField(
        _l("Your picture (JPEG, PNG, WebP or GIF)"),
        validators=[FileRequired(_l("Choose a picture to upload."))],
        render_kw={"accept": ACCEPTED_TYPES},
    )
    upload = SubmitField(_l("Upload picture"))


class RemovePictureForm(SiteForm):
    """Go back to the generated picture."""

    remove = SubmitField(_l("Remove picture"))
