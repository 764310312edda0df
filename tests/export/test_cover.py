"""The cover the project draws: a PNG of the album title, the same bytes for the same title."""

import io

import numpy as np
from PIL import Image

from mbcl_audio.export.cover import COVER_SIZE, FONT_PATH, cover_png


def _pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (COVER_SIZE, COVER_SIZE) and image.mode == "RGB"
    return np.asarray(image, dtype=np.int16)


def test_the_cover_is_a_deterministic_png_with_the_title_drawn():
    title = "Mitfühlend leben – Übungen"
    png = cover_png(title, "mbcl-audio · de")
    assert png == cover_png(title, "mbcl-audio · de")
    assert FONT_PATH.is_file() and "matplotlib" in FONT_PATH.parts  # a font from a dependency, not a download
    drawn, blank = _pixels(png), _pixels(cover_png(" ", ""))
    differs = np.abs(drawn - blank).sum(axis=2) > 60
    rows = np.flatnonzero(differs.any(axis=1))
    # The title sits in the lower half and the subtitle near the bottom; the top is untouched.
    assert rows.min() > COVER_SIZE * 0.45 and rows.max() < COVER_SIZE * 0.97
    assert differs[: COVER_SIZE // 3].sum() == 0
    # Another title is another image.
    assert cover_png("Compassievol leven – oefeningen", "mbcl-audio · nl") != png
