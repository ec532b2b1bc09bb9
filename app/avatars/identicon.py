"""Identicons: a symmetric 5 x 5 grid in one colour, drawn as SVG from an account id alone.

Everything comes from a keyed hash of the id. Its key names the generator's version, so the
fingerprint in a picture's URL (also taken from that hash) changes exactly when the drawing does:
browsers may then keep each picture for a year. Whoever changes how pictures look bumps VERSION.

The SVG is built from numbers only (cell positions, a hue, a size): no text from anyone reaches
it, and it holds no script, link or external reference.
"""

import hashlib
from functools import lru_cache

# Bump whenever the drawing changes: every URL, and so every browser's cached copy, changes with it.
VERSION = 1
# The hash key: fixed (not SECRET_KEY), so pictures and URLs survive restarts and key rotation.
_KEY = f"microblog identicon v{VERSION}".encode()

GRID = 5
# Pictures may be asked for between these sizes (pixels); the SVG scales, so this only sets its attributes.
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 16, 512, 80
BACKGROUND = "#f0f0f0"


def _digest(user_id: int) -> bytes:
    return hashlib.blake2b(str(int(user_id)).encode(), key=_KEY, digest_size=16).digest()


def fingerprint(user_id: int) -> str:
    """Return the short hash that names this id's picture in its URL (it changes with VERSION)."""
    return _digest(user_id)[:6].hex()


def cells(user_id: int) -> frozenset[tuple[int, int]]:
    """Return the filled (column, row) cells: the left three columns from the hash, mirrored to the right."""
    bits = int.from_bytes(_digest(user_id)[6:10], "big")
    filled = set()
    half = (GRID + 1) // 2
    for row in range(GRID):
        for column in range(half):
            if bits >> (row * half + column) & 1:
                filled.add((column, row))
                filled.add((GRID - 1 - column, row))
    if not filled:  # a blank picture would look broken: fill the middle
        filled.add((GRID // 2, GRID // 2))
    return frozenset(filled)


def colour(user_id: int) -> str:
    """Return the picture's colour: a hue from the hash, at a saturation and lightness that read on light grey."""
    digest = _digest(user_id)
    hue = int.from_bytes(digest[10:12], "big") % 360
    saturation = 45 + digest[12] % 20
    lightness = 40 + digest[13] % 15
    return f"hsl({hue},{saturation}%,{lightness}%)"


def clamp_size(size: int | None) -> int:
    """Return `size` within the sizes offered, or the default one when none was asked for."""
    if size is None:
        return DEFAULT_SIZE
    return max(MIN_SIZE, min(MAX_SIZE, size))


@lru_cache(maxsize=4096)
def _drawing(user_id: int) -> str:
    """Return the picture's inner SVG: a background and one path of unit squares, with a half-cell margin."""
    path = "".join(f"M{column} {row}h1v1h-1z" for column, row in sorted(cells(user_id)))
    return (
        f'<rect x="-0.5" y="-0.5" width="{GRID + 1}" height="{GRID + 1}" fill="{BACKGROUND}"/>'
        f'<path fill="{colour(user_id)}" d="{path}"/>'
    )


def svg(user_id: int, size: int) -> str:
    """Return the SVG document of this id's picture, `size` pixels wide and high."""
    size = clamp_size(int(size))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="-0.5 -0.5 {GRID + 1} {GRID + 1}" shape-rendering="crispEdges">'
        f"{_drawing(int(user_id))}</svg>"
    )
