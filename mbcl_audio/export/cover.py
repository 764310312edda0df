"""Cover art the project draws itself: a calm gradient, a soft circle like a slow breath, and the
album title, as a PNG for the tracks' ``APIC`` frame and the set's folder.

No downloaded fonts or images: the text is set in DejaVu Sans, the font matplotlib (a dependency)
ships in its package data; it covers the accents and typographic punctuation of every title in
the catalogue, which Pillow's own bundled font does not. The same title gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib import get_data_path
from PIL import Image, ImageDraw, ImageFont

__all__ = ["COVER_SIZE", "cover_png"]

#: Width and height of the cover (pixels).
COVER_SIZE = 600
_TOP = np.array([22, 48, 72], dtype=np.float64)  # deep blue
_BOTTOM = np.array([196, 150, 110], dtype=np.float64)  # warm sand
_MARGIN = 60
#: DejaVu Sans, from matplotlib's package data.
FONT_PATH = Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _background(size: int) -> Image.Image:
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    rgb = _TOP + (_BOTTOM - _TOP) * y[..., None] ** 1.4
    # A soft, lighter disc in the upper middle: the breath.
    r = np.hypot(x - 0.5, y - 0.38)
    glow = np.clip(1.0 - r / 0.28, 0.0, 1.0) ** 2 * 0.35
    rgb = rgb + (255.0 - rgb) * glow[..., None]
    return Image.fromarray(np.round(rgb).astype(np.uint8), "RGB")


def _lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` wrapped at word boundaries to lines at most ``width`` pixels wide."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def cover_png(title: str, subtitle: str = "", size: int = COVER_SIZE) -> bytes:
    """The cover as PNG bytes: ``title`` (wrapped) in the lower half, ``subtitle`` small below it."""
    image = _background(size)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_PATH), round(size * 0.06))
    small = ImageFont.truetype(str(FONT_PATH), round(size * 0.035))
    lines = _lines(draw, title, font, size - 2 * _MARGIN)
    line_h = round(size * 0.09)
    y = round(size * 0.62) - line_h * (len(lines) - 1) // 2
    for line in lines:
        draw.text((size / 2, y), line, font=font, fill=(255, 255, 255), anchor="mm")
        y += line_h
    if subtitle:
        draw.text((size / 2, size - _MARGIN), subtitle, font=small, fill=(250, 244, 236), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
