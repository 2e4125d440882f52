"""directory/photos.py: a profile photo keeps only its pixels (Pillow, no app)."""

import io

import pytest
from PIL import Image

from wellness.directory import photos


def jpeg_with_metadata(size=(1200, 800), orientation=6) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotated 90°, as phones store it
    exif[0x010F] = "MARKER-CAMERA-MAKER"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"MARKER-COMMENT")
    return out.getvalue()


def test_a_phone_photo_comes_out_upright_small_and_without_metadata():
    upload = jpeg_with_metadata()
    clean = photos.reencode(upload)
    assert b"MARKER" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= photos.SIDE
        assert image.height > image.width  # the EXIF rotation was applied to the pixels
        assert not image.getexif()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"", "Choose a photo"),
        (b"not an image at all", "not a photo we can use"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a photo we can use"),
        (b"x" * (photos.MAX_UPLOAD_BYTES + 1), "under 8 MB"),
    ],
)
def test_what_is_not_a_usable_photo_is_refused_in_words(upload, message):
    with pytest.raises(photos.PhotoError, match=message):
        photos.reencode(upload)


def test_a_decompression_bomb_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (6000, 5000)).save(out, "PNG")  # 30 Mpx, tiny file
    with pytest.raises(photos.PhotoError, match="too many pixels"):
        photos.reencode(out.getvalue())
