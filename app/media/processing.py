"""Check an upload is a real image of an allowed type, and re-encode it without its metadata.

Only the bytes decide: Pillow must recognise them as JPEG, PNG, WebP or GIF (the file's name and
the type the client announced count for nothing). The image is decoded, turned upright by its
EXIF orientation, and saved again from its pixels alone, so no EXIF (GPS included), XMP, ICC,
comment or text chunk survives.

Output format: a photo (JPEG, or WebP without transparency) becomes a JPEG; a PNG, a GIF (its
first frame) or anything with transparency becomes a PNG, which keeps the alpha channel and
the sharp edges of screenshots and drawings. The preview has the same format, at most
`preview_size` pixels on its long side.

A profile picture (`squares`) passes the same checks and becomes square JPEGs of a few sizes.
"""

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format names of what may be uploaded.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85


class MediaError(Exception):
    """An upload refused; `message` is for the person, `status` for the API (400 or 413)."""

    status = 400
    message = _l("This file cannot be used.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAnImage(MediaError):
    """The bytes are not a JPEG, PNG, WebP or GIF image (or are a broken one)."""

    message = _l("This file is not an image in a format we accept (JPEG, PNG, WebP or GIF).")


class ImageTooLarge(MediaError):
    """The file has too many bytes or its image too many pixels (a decompression bomb among them)."""

    status = 413
    message = _l("This image is too large.")


@dataclass(frozen=True)
class ProcessedImage:
    """An upload re-encoded: the original and its preview, without metadata."""

    original: bytes
    preview: bytes
    content_type: str
    width: int
    height: int


def process(data: bytes, max_bytes: int, max_pixels: int, preview_size: int = 1024) -> ProcessedImage:
    """Verify `data` is an allowed image within the limits and return it re-encoded; raise a MediaError."""
    source_format, upright = _checked(data, max_bytes, max_pixels)
    content_type, save = _encoder(source_format, upright)
    original = save(upright)
    preview = original
    if max(upright.size) > preview_size:
        small = upright.copy()
        small.thumbnail((preview_size, preview_size), Image.Resampling.LANCZOS)
        preview = save(small)
    return ProcessedImage(original, preview, content_type, upright.width, upright.height)


def squares(data: bytes, max_bytes: int, max_pixels: int, sizes: tuple[int, ...], background: str) -> list[bytes]:
    """Verify `data` as `process` does and return its middle square as a JPEG of each size (a profile picture).

    The square is the largest one centred in the picture, scaled to each size. Transparent parts
    are laid on `background` (a colour Pillow reads, as "#f0f0f0"): JPEG keeps no transparency.
    """
    _, upright = _checked(data, max_bytes, max_pixels)
    if upright.mode == "RGBA":
        flat = Image.new("RGB", upright.size, background)
        flat.paste(upright, mask=upright.getchannel("A"))
        upright = flat
    largest = max(sizes)
    square = ImageOps.fit(upright, (largest, largest), Image.Resampling.LANCZOS)
    pictures = []
    for size in sizes:
        picture = square if size == largest else square.resize((size, size), Image.Resampling.LANCZOS)
        pictures.append(_save(picture, "JPEG", quality=JPEG_QUALITY, optimize=True))
    return pictures


def _checked(data: bytes, max_bytes: int, max_pixels: int) -> tuple[str, Image.Image]:
    """Return the source format of `data` and its first frame upright without metadata; raise a MediaError."""
    if len(data) > max_bytes:
        raise ImageTooLarge(_l("This image is larger than %(size)s MB.", size=_megabytes(max_bytes)))
    if not data:
        raise NotAnImage
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _decode(data, max_pixels)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(max_pixels) from None
    try:
        return image.format, _clean_copy(image)
    except (OSError, ValueError):  # a mode Pillow decodes but cannot turn into RGB
        raise NotAnImage from None


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Open and fully decode the first frame, checking the declared size before decoding a pixel."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise NotAnImage from None
    if image.format not in ALLOWED_FORMATS:
        raise NotAnImage
    width, height = image.size
    if width < 1 or height < 1:
        raise NotAnImage
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    try:
        image.seek(0)  # an animated GIF or WebP: its first frame only
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise NotAnImage from None
    return image


def _clean_copy(image: Image.Image) -> Image.Image:
    """Return the image upright, as plain RGB or RGBA pixels with no metadata attached."""
    upright = ImageOps.exif_transpose(image)
    if _has_alpha(image):
        clean = upright.convert("RGBA")
    else:
        clean = upright.convert("RGB")
    if clean is upright or clean is image:
        clean = clean.copy()
    # What is left of the source's info (ICC profile, comments, EXIF bytes) would be written back on save.
    clean.info = {}
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _encoder(source_format: str, image: Image.Image):
    """Return the stored content type and the function that encodes an image to it."""
    if source_format in ("PNG", "GIF") or image.mode == "RGBA":
        return "image/png", lambda img: _save(img, "PNG", optimize=True)
    return "image/jpeg", lambda img: _save(img, "JPEG", quality=JPEG_QUALITY, optimize=True)


def _save(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _too_many_pixels(max_pixels: int) -> ImageTooLarge:
    return ImageTooLarge(
        _l("This image has more than %(count)s million pixels.", count=_number(max_pixels / 1_000_000))
    )


def _megabytes(count: int) -> str:
    return _number(count / (1024 * 1024))


def _number(value: float) -> str:
    return f"{value:g}" if value < 10 else f"{value:.0f}"
