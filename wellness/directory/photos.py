"""A counselor's profile photo, made safe to publish: decoded and drawn again by Pillow, so
nothing of the upload survives but its pixels (no EXIF, GPS, camera serial or embedded
profile), bounded in size and dimensions, saved as a small JPEG. Pure: bytes in, bytes out.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # what a phone camera makes; refused above this
MAX_PIXELS = 24_000_000  # decompression bombs are refused, not decoded
SIDE = 256  # the published photo fits in SIDE x SIDE (shown at 96 CSS px, sharp at 2.5x)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


class PhotoError(ValueError):
    """The upload cannot be used; the message says why, in plain words."""


def reencode(upload: bytes) -> bytes:
    """The photo to publish: the upload's pixels only, upright, at most SIDE px a side, JPEG."""
    if not upload:
        raise PhotoError("Choose a photo to upload.")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise PhotoError("That photo is too large: choose one under 8 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload), formats=FORMATS) as probe:
                if probe.format not in FORMATS:
                    raise PhotoError("That file is not a photo we can use: upload a JPEG or PNG.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("That photo has too many pixels: choose a smaller one.")
                probe.verify()  # structure checked before any pixel is decoded
            with Image.open(io.BytesIO(upload), formats=FORMATS) as image:
                image.draft("RGB", (SIDE * 2, SIDE * 2))  # a JPEG decodes at a fraction of its size
                image.seek(0)  # an animation's first frame only
                upright = ImageOps.exif_transpose(image)  # phones store rotation in EXIF
                pixels = upright.convert("RGB")
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise PhotoError("That file is not a photo we can use: upload a JPEG or PNG.") from exc
    pixels.thumbnail((SIDE, SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image carries no metadata; nothing from the upload is passed to save().
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    clean.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()
