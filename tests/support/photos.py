"""A photo as a phone saves one (made with Pillow, EXIF included), and a clinic data file
that names it: what the tests of the clinic's photos build with."""

import re
from pathlib import Path

from PIL import Image

PHOTO = "images/team/physician.jpg"  # under content/, as clinic.yml names it
# Stored on its side, as a phone saves a portrait: 1600 x 1200 pixels with EXIF orientation 6
# (turn a quarter clockwise to show it), so it is shown 1200 x 1600.
STORED, SHOWN = (1600, 1200), (1200, 1600)


def make_photo(path: Path, size: tuple[int, int] = STORED, orientation: int = 6) -> None:
    """A JPEG at `path`, with an EXIF orientation and a maker that must not reach the site."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Gradients and soft blotches (noise at a tenth of the size, enlarged), so the encoders have
    # something like a photo's detail to work on.
    blotches = Image.effect_noise((size[0] // 10, size[1] // 10), 60).convert("L").resize(size, Image.Resampling.BICUBIC)
    image = Image.merge("RGB", [Image.linear_gradient("L").resize(size), blotches,
                                Image.linear_gradient("L").rotate(90).resize(size)])
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Phone maker"  # Make: metadata that must not reach the site
    image.save(path, "JPEG", quality=92, exif=exif)


def set_clinic(clinic_file: Path, **values: str) -> None:
    """Set keys of a clinic data file (clinic.yml) to these values, adding those it lacks."""
    text = clinic_file.read_text(encoding="utf-8")
    for key, value in values.items():
        line = f'{key}: "{value}"'
        text, count = re.subn(rf"(?m)^{key}:.*$", line, text)
        if not count:
            text = text.replace("\nexample_values:", f"\n{line}\nexample_values:")
    clinic_file.write_text(text, encoding="utf-8")
