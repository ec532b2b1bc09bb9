"""Forms of the main blueprint."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, StringField, SubmitField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, ValidationError

from app import media
from app.extensions import db
from app.models import User
from app.models.media import MAX_ALT_LENGTH, MAX_PER_POST
from app.validators import printable_text, username_characters
from app.web.forms import SiteForm


class EditProfileForm(SiteForm):
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


class EmptyForm(SiteForm):
    """A button that only carries the CSRF token."""

    submit = SubmitField(_l("Submit"))


class ImageForm(Form):
    """One image of a post and its alt text (a subform: the post's form carries the CSRF token)."""

    file = FileField(_l("Image"))
    alt = TextAreaField(_l("Alt text"), validators=[Length(max=MAX_ALT_LENGTH), printable_text])

    def validate(self, extra_validators=None) -> bool:
        """Check the pair: a file needs its alt text, and an alt text its file."""
        valid = super().validate(extra_validators)
        has_alt = bool((self.alt.data or "").strip())
        if self.file.data is not None and not has_alt:
            self.alt.errors.append(_l("Describe this image: its alt text is required."))
            valid = False
        elif self.file.data is None and has_alt:
            self.file.errors.append(_l("Choose a file for this alt text."))
            valid = False
        return valid


def at_most_four_images(form, field) -> None:
    """Refuse more image slots than a post carries (the form offers four; a forged one may send more)."""
    if len(field.entries) > MAX_PER_POST:
        raise ValidationError(_l("A post carries at most %(count)d images.", count=MAX_PER_POST))


class ImageSlots(FieldList):
    """The image subforms: those sent, then empty ones up to four, so the page always offers four.

    FieldList's own `min_entries` padding would process the request again for each added entry,
    under a renumbered name, and so read a file sent in a later slot twice.
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        while len(self.entries) < MAX_PER_POST:
            self.append_entry()


class ImagesMixin:
    """Up to four images, each with its alt text, for the forms that publish a post (multipart)."""

    images = ImageSlots(FormField(ImageForm), validators=[at_most_four_images])

    def store_images(self, owner: User) -> list[int] | None:
        """Store the chosen images for `owner`, unattached; return their ids in order.

        On a refusal (`media.MediaError`) return None with its message on the field it concerns;
        the caller rolls back, which removes the files already written.
        """
        ids = []
        for entry in self.images:
            if entry.file.data is None:
                continue
            try:
                ids.append(media.store(owner, entry.file.data.read(), entry.alt.data).id)
            except media.InvalidAltText as error:
                entry.alt.errors.append(error.message)
                return None
            except media.MediaError as error:
                entry.file.errors.append(error.message)
                return None
        return ids

    def image_errors(self) -> list[str]:
        """The errors about the images as a whole (each image's own are on its fields)."""
        return [error for error in self.images.errors if not isinstance(error, dict)]

    def images_untouched(self) -> bool:
        """Whether the image fields show nothing the writer sent: no alt text, no error.

        Their markup is then the same for every writer of a language, so pages cache it.
        """
        return not self.images.errors and not any(entry.alt.data or entry.errors for entry in self.images)


class PostForm(ImagesMixin, SiteForm):
    """Write a post, with up to four images."""

    post = TextAreaField(_l("Say something"), validators=[DataRequired(), Length(min=1, max=140), printable_text])
    submit = SubmitField(_l("Submit"))


class MessageForm(SiteForm):
    """Write a private message."""

    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(min=1, max=140), printable_text])
    submit = SubmitField(_l("Submit"))
