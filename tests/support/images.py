"""Images made with Pillow at test time, well-formed or hostile, for the media tests."""

import io
import os
import struct
import zlib

from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

# A PHP web shell, as an upload named photo.jpg would carry it.
PHP_SCRIPT = b"<?php system($_GET['cmd']); ?>\n"
# An SVG image that runs script when a browser opens it.
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def image_bytes(image_format: str = "JPEG", size=(64, 48), color=(200, 30, 30), mode: str = "RGB", **options) -> bytes:
    """Return an image of one colour encoded as `image_format`."""
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, image_format, **options)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header declares `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # A few rows of zeros, compressed: the rest of the picture is missing.
    data = zlib.compress(b"\0" * (1 + 3 * min(width, 1000)) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def photo_with_gps(size=(80, 60)) -> bytes:
    """Return a JPEG carrying a camera's EXIF (make, date, where it was taken) and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Spy Camera"
    exif[ExifTags.Base.DateTime] = "2026:12:03 10:00:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    return image_bytes("JPEG", size=size, exif=exif, comment=b"taken at home")


def noise(image_format: str = "PNG", size=(700, 700)) -> bytes:
    """Return an image of random pixels: it barely compresses (a PNG of 700 x 700 is about 1.5 MB)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, image_format)
    return buffer.getvalue()


def multipart_file(field: str, data: bytes, filename: str) -> dict:
    """Return the test client's `data` and `content_type` for a form carrying one file.

    The body is built in memory: the test client spools a large one to a temporary file that it
    never closes (a ResourceWarning, which the suite treats as an error).
    """
    boundary, body = encode_multipart(MultiDict({field: FileStorage(io.BytesIO(data), filename)}))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload_form(body: str, *images: tuple[bytes, str, str] | None, **extra) -> dict:
    """Return the data of a post or reply form as a browser sends it: its text and every image slot.

    Each image is `(bytes, file name, alt text)`, or None for a slot left empty; slots past the
    given images, up to four, are sent empty too (an empty file input, an empty alt text).
    """
    data = {"post": body, **extra}
    slots = list(images) + [None] * (4 - len(images))
    for index, image in enumerate(slots):
        content, name, alt = image if image is not None else (b"", "", "")
        data[f"images-{index}-file"] = (io.BytesIO(content), name)
        data[f"images-{index}-alt"] = alt
    return data


def multipart(data: dict) -> dict:
    """Return `client.post` arguments sending `data` (as `upload_form` makes it) as one in-memory body.

    The test client would spool a body over 500 KB to a temporary file it never closes (a
    ResourceWarning, an error in this suite); encoding it here keeps it in memory.
    """
    fields = {
        name: FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
