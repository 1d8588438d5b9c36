"""Thumbnails of images and of a PDF's first page, as WebP no larger than 480 × 480 pixels.

Made by a background task (`evidence.tasks.evidence_thumbnail_make`) from the stored file, which
for images is already the re-encoded, size-checked one.
"""

import io

from PIL import Image

from .files import open_image_checked, open_pdf

THUMBNAIL_SIZE = (480, 480)


def image_thumbnail(source, *, name: str) -> bytes:
    with open_image_checked(source, name=name) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        return _webp(image)


def pdf_thumbnail(source) -> bytes:
    document = open_pdf(source)
    try:
        page = document[0]
        width, height = page.get_size()
        # Scale from the page size in points, so a huge page never renders huge.
        scale = min(THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height)
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil()
        page.close()
        return _webp(image)
    finally:
        document.close()


def _webp(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "RGBA"):
        transparent = "transparency" in image.info or "A" in image.mode
        image = image.convert("RGBA" if transparent else "RGB")
    output = io.BytesIO()
    image.save(output, format="WEBP", quality=80)
    return output.getvalue()
