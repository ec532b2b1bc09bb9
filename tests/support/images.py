"""Images made with Pillow at test time, well-formed or hostile, for the media tests."""

import io
import struct
import zlib

from PIL import Image


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
