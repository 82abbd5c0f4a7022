"""Images as users send them: check they decode, honour EXIF, fit WeChat's 2 MB."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.ocr.base import Failure, OcrError

CLOUD_LIMIT = 2 * 1024 * 1024  # the WeChat OCR API refuses images of 2 MB and more
MAX_PIXELS = 60_000_000  # larger is a decompression bomb, not a phone photo


def open_image(data: bytes) -> Image.Image:
    """Decode ``data`` fully, upright per its EXIF orientation, or raise BAD_IMAGE."""
    return ImageOps.exif_transpose(_decode(data))


def _decode(data: bytes) -> Image.Image:
    """Decode ``data`` as stored (EXIF orientation not applied), or raise BAD_IMAGE.

    The pixel count is checked from the header, before anything is unpacked.
    """
    try:
        with warnings.catch_warnings():  # Pillow's own, looser warning: we refuse below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width}x{image.height} pixels")
        image.load()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise OcrError(
            Failure.BAD_IMAGE, f"undecodable image: {type(exc).__name__}", errcode=101002
        ) from None
    return image


def shrink(data: bytes, limit: int = CLOUD_LIMIT) -> bytes:
    """``data`` as is when it decodes and is upright and under ``limit`` bytes;
    otherwise re-encoded as JPEG (upright, scaled down as far as needed)."""
    image = _decode(data)
    rotated = image.getexif().get(0x0112, 1) != 1
    if len(data) < limit and not rotated:
        return data
    image = ImageOps.exif_transpose(image).convert("RGB")
    quality = 90
    while True:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() < limit:
            return out.getvalue()
        if quality > 75:
            quality -= 10
        else:
            image = image.resize(
                (int(image.width * 0.8), int(image.height * 0.8)), Image.Resampling.LANCZOS
            )
