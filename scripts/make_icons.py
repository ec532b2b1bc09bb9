"""Draw the app icon: write app/static/icons/icon.svg and its PNG sizes, from one set of shapes.

A blue rounded square with a white speech bubble holding three dots. The PNGs are rasterised
here with the standard library alone (zlib and struct, no Pillow), each pixel's colour averaged
over a grid of samples so the edges are smooth. Run it again after changing a shape:

    python scripts/make_icons.py
"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "icons"
SIZES = (32, 180, 192, 512)  # favicon, apple-touch-icon, manifest icons
SAMPLES = 4  # per pixel and axis
VIEW = 512  # the SVG's user units
BLUE, WHITE = (13, 110, 253), (255, 255, 255)  # Bootstrap's primary and white

# (kind, geometry, colour), painted in order, in the SVG's units.
SHAPES = [
    ("rect", (0, 0, 512, 512, 112), BLUE),
    ("rect", (104, 120, 304, 224, 56), WHITE),
    ("triangle", ((152, 320), (248, 320), (136, 416)), WHITE),
    ("circle", (184, 232, 24), BLUE),
    ("circle", (256, 232, 24), BLUE),
    ("circle", (328, 232, 24), BLUE),
]


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def svg() -> str:
    """Return the icon as SVG."""
    parts = []
    for kind, geometry, colour in SHAPES:
        if kind == "rect":
            x, y, w, h, r = geometry
            parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{_hex(colour)}"/>')
        elif kind == "triangle":
            points = " ".join(f"{x},{y}" for x, y in geometry)
            parts.append(f'<polygon points="{points}" fill="{_hex(colour)}"/>')
        else:
            cx, cy, r = geometry
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{_hex(colour)}"/>')
    body = "\n  ".join(parts)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW} {VIEW}">\n  {body}\n</svg>\n'


def _inside(kind: str, geometry, x: float, y: float) -> bool:
    """Return whether the point (x, y) lies in the shape."""
    if kind == "rect":
        left, top, w, h, r = geometry
        if not (left <= x <= left + w and top <= y <= top + h):
            return False
        # Near a corner, the point must lie in that corner's circle.
        cx = min(max(x, left + r), left + w - r)
        cy = min(max(y, top + r), top + h - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    if kind == "triangle":
        (x1, y1), (x2, y2), (x3, y3) = geometry
        d1 = (x - x2) * (y1 - y2) - (x1 - x2) * (y - y2)
        d2 = (x - x3) * (y2 - y3) - (x2 - x3) * (y - y3)
        d3 = (x - x1) * (y3 - y1) - (x3 - x1) * (y - y1)
        return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))
    cx, cy, r = geometry
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _pixel(px: int, py: int, scale: float) -> bytes:
    """Return the RGBA of one pixel: the average of its samples (transparent outside every shape)."""
    total = [0, 0, 0, 0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x, y = (px + (sx + 0.5) / SAMPLES) * scale, (py + (sy + 0.5) / SAMPLES) * scale
            colour = None
            for kind, geometry, fill in SHAPES:
                if _inside(kind, geometry, x, y):
                    colour = fill
            if colour is not None:
                for i in range(3):
                    total[i] += colour[i]
                total[3] += 255
    covered = total[3] // 255
    if not covered:
        return b"\0\0\0\0"
    return bytes([total[0] // covered, total[1] // covered, total[2] // covered, total[3] // SAMPLES**2])


def png(size: int) -> bytes:
    """Return the icon as a `size`×`size` RGBA PNG."""
    scale = VIEW / size
    rows = b"".join(b"\0" + b"".join(_pixel(px, py, scale) for px in range(size)) for py in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main() -> None:
    """Write the SVG and every PNG size."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(svg())
    for size in SIZES:
        (OUT / f"icon-{size}.png").write_bytes(png(size))
        print(f"wrote {OUT / f'icon-{size}.png'}")


if __name__ == "__main__":
    main()
