"""Uploaded pictures: a person's own picture in place of the provider's, and its removal.

An upload passes the media service's checks (app.media.processing: the bytes must be a JPEG, PNG,
WebP or GIF within MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS) and is stored without its metadata as
two square JPEGs in the media storage, under a new random key (`User.avatar_key`):
`<key>-original.jpg` (LARGE pixels) and `<key>-preview.jpg` (SMALL pixels). Every upload gets a
new key, so the picture's URL changes with it and browsers may keep each one for a year.

Files follow the transaction: the new ones are removed if it rolls back, the replaced ones once it
commits (`flask media prune` keeps the files of every live key).
"""

from app import media
from app.avatars.identicon import BACKGROUND
from app.media import processing
from app.models import User
from app.models.media import VARIANTS, new_key
from app.models.media import file_name as stored_name

# The stored sizes, in pixels: the profile's picture, and the one of cards and lists.
LARGE, SMALL = 256, 128
CONTENT_TYPE = "image/jpeg"
EXTENSION = "jpg"


def file_name(key: str, variant: str) -> str:
    """Return the storage name of one of a picture's files ("original" or "preview")."""
    return stored_name(key, variant, EXTENSION)


def file_names(key: str) -> list[str]:
    """Return the storage names of a picture's two files."""
    return [file_name(key, variant) for variant in VARIANTS]


def variant_for(size: int) -> str:
    """Return the stored variant to show at `size` pixels: the small one up to its own size."""
    return "preview" if size <= SMALL else "original"


def set_picture(user: User, data: bytes) -> None:
    """Make `data` the user's picture, replacing any previous one; the caller commits.

    Raises a MediaError (NotAnImage, ImageTooLarge) and changes nothing when the file is refused.
    """
    limits = media.service()
    large, small = processing.squares(data, limits.max_bytes, limits.max_pixels, (LARGE, SMALL), BACKGROUND)
    key = new_key()
    media.save_files(zip(file_names(key), (large, small), strict=True), CONTENT_TYPE)
    previous, user.avatar_key = user.avatar_key, key
    if previous is not None:
        media.delete_files_after_commit(file_names(previous))


def remove_picture(user: User) -> bool:
    """Go back to the provider's picture; its files go once the transaction commits. Return whether there was one."""
    previous = user.avatar_key
    if previous is None:
        return False
    user.avatar_key = None
    media.delete_files_after_commit(file_names(previous))
    return True
