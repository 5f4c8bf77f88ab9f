"""Images: the clinic's photos (clinic.yml keys ending in `_photo`) made with Pillow into AVIF, WebP and JPEG at
several widths, upright and fingerprinted, for `picture()` in templates; a photo that cannot be used is refused."""

from collections.abc import Mapping
from typing import Any
import re
import shutil
import warnings
from dataclasses import dataclass
from io import BytesIO
from itertools import chain
from pathlib import Path

import PIL
from jinja2 import pass_context
from markupsafe import Markup
from PIL import Image, ImageOps
from pelican import signals

from keter_site.assets import DIGEST_LENGTH  # the deploy headers' rule for a fingerprinted file
from keter_site.clinic_facts import key_line
from keter_site.core import build
from keter_site.core.fingerprints import of_bytes, of_text
from keter_site.core.files import replace_whole

WIDTHS = (160, 320, 480, 640, 960)
MIN_WIDTH = 480
# (extension, MIME type, Pillow's save options): the order of the <source> elements, best first.
FORMATS = (("avif", "image/avif", {"quality": 55, "speed": 6}),
           ("webp", "image/webp", {"quality": 78, "method": 5}),
           ("jpg", "image/jpeg", {"quality": 82, "progressive": True, "optimize": True}))
FALLBACK = "jpg"
OUTPUT_FOLDER = "theme/photos"
PHOTO_SUFFIX = "_photo"
NO_PHOTO = "none"  # a photo key's value while there is no photo


@dataclass(frozen=True)
class Variant:
    """One encoded file of a photo: what srcset and the <img>'s width and height need."""
    url_path: str   # under the site's root, e.g. theme/photos/physician-480.0123456789ab.avif
    width: int
    height: int
    encoded: Path   # the file in the images cache, copied to url_path once the checks passed




def photo_keys(facts: Mapping[str, Any]) -> dict[str, str]:
    """The clinic facts that name a photo file, with their value (a path, or "none")."""
    return {key: value for key, value in facts.items() if key.endswith(PHOTO_SUFFIX) and isinstance(value, str)}


# Encoding is slow: every encoded file is kept here (IMAGES_CACHE_PATH, else .cache/images/) under the digest of the
# photo's bytes and its encoding, so a build encodes only what is new.
def _cache_folder(settings: Mapping[str, Any]) -> Path:
    configured = settings.get("IMAGES_CACHE_PATH")
    return Path(configured) if configured else Path(settings["CACHE_PATH"]).with_name("images")


def _widths(source_width: int) -> list[int]:
    return sorted({w for w in WIDTHS if w < source_width} | {min(source_width, WIDTHS[-1])})


def upright_size(path: str | Path) -> tuple[int, int]:
    """(width, height) as the photo is shown, read from its header (EXIF orientations 5 to 8
    turn it a quarter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as opened:
            width, height = opened.size
            orientation = opened.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _open(path: str | Path) -> Image.Image:
    """The photo, upright, in RGB (an image with transparency is laid on white: JPEG has none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")


def _encode(image: Image.Image, width: int, extension: str, options: Mapping[str, Any]) -> tuple[bytes, int]:
    height = round(image.height * width / image.width)
    resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
    out = BytesIO()
    # Saved without the photo's metadata: a phone's photo can carry where it was taken.
    resized.save(out, format={"jpg": "JPEG"}.get(extension, extension.upper()), **options)
    return out.getvalue(), height


def make_variants(source: str | Path, cache: Path) -> dict[str, list[Variant]]:
    """Every variant of one photo file, encoded into `cache` unless an earlier build did.
    {extension: [Variant, ...]}; nothing is written into the site's folder yet."""
    data = Path(source).read_bytes()
    source_digest = of_bytes(data)
    source_width, source_height = upright_size(source)
    image: Image.Image | None = None  # decoded only when something must be encoded
    made: dict[str, list[Variant]] = {}
    # The file's name in the site's addresses: letters, digits and hyphens only (a space would
    # split a srcset).
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-") or "photo"
    for extension, _, options in FORMATS:
        made[extension] = []
        for width in _widths(source_width):
            recipe = f"{source_digest} {width} {extension} {sorted(options.items())} Pillow {PIL.__version__}"
            digest = of_text([recipe])
            cached = cache / f"{digest}.{extension}"
            height = round(source_height * width / source_width)
            if not cached.exists():
                image = image or _open(source)
                encoded, height = _encode(image, width, extension, options)
                cache.mkdir(parents=True, exist_ok=True)
                replace_whole(cached, encoded)
            url_path = f"{OUTPUT_FOLDER}/{stem}-{width}.{digest[:DIGEST_LENGTH]}.{extension}"
            made[extension].append(Variant(url_path, width, height, cached))
    return made


def _made() -> dict[str, dict[str, list[Variant]]]:
    """This build's photos: content-relative path -> {extension: [Variant, ...] narrowest first}."""
    return build.current().of("images")


def after_reading(generators: list[Any]) -> None:
    """Encode every photo clinic.yml names, or report why it cannot be made."""
    settings = generators[0].settings
    data_file = settings["CLINIC_DATA_FILE"]
    made = _made()
    for key, value in photo_keys(build.current().facts).items():
        if value.strip().lower() == NO_PHOTO:
            continue  # the templates show none
        source = Path(settings["PATH"]) / value
        line = key_line(data_file, key)
        if not source.is_file():
            build.report(data_file, f"`{key}` names {value}, which is not a file in content/.",
                         f'Put the photo at content/{value}, or write `{key}: "{NO_PHOTO}"` for no photo.', line)
            continue
        try:
            width, _ = upright_size(source)
        except (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            build.report(data_file, f"`{key}`: content/{value} cannot be read as a photo ({error}).",
                         "Save it again as a JPEG, PNG or WebP file and put that file in its place.", line)
            continue
        if width < MIN_WIDTH:
            build.report(data_file, f"`{key}`: content/{value} is {width} pixels wide, too small to look sharp.",
                         f"Ask for a photo at least {MIN_WIDTH} pixels wide.", line)
            continue
        try:
            made[value] = make_variants(source, _cache_folder(settings))
        except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            build.report(data_file, f"`{key}`: content/{value} could not be converted ({error}).",
                         "Save it again as a JPEG, PNG or WebP file and put that file in its place.", line)


def before_writing(pelican: Any) -> None:
    """Copy this build's photos into the output, once the checks found no problem: a build
    stopped by its checks writes none of them, with Pelican's own command too."""
    output = Path(pelican.output_path)
    for variants in _made().values():
        for variant in chain.from_iterable(variants.values()):
            target = output / variant.url_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(variant.encoded, target)


def _srcset(site_url: str, variants: list[Variant]) -> str:
    return ", ".join(f"{site_url}/{v.url_path} {v.width}w" for v in variants)


@pass_context
def picture(context: Any, path: str, alt: str, sizes: str, loading: str = "lazy", class_name: str = "") -> Markup:
    """The <picture> for a photo made by this plugin (`path` as written in clinic.yml)."""
    made = _made()[path]
    site_url = context["SITEURL"]
    sources = Markup("").join(
        Markup('<source type="{}" srcset="{}" sizes="{}">').format(mime, _srcset(site_url, made[ext]), sizes)
        for ext, mime, _ in FORMATS if ext != FALLBACK)
    fallback = made[FALLBACK]
    default = next((v for v in fallback if v.width >= 480), fallback[-1])
    largest = fallback[-1]
    # (Eager is the browser's default: the attribute is written only for lazy.) Width and height keep the photo's
    # place while it loads.
    lazy = Markup(' loading="lazy"') if loading == "lazy" else Markup("")
    image = Markup('<img src="{}/{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} decoding="async">').format(
        site_url, default.url_path, _srcset(site_url, fallback), sizes, largest.width, largest.height, alt, lazy)
    return Markup('<picture class="{}">{}{}</picture>').format(class_name, sources, image)


def photo(key: str) -> str:
    """The path of the clinic's photo `key` when one was made for this build, else ""."""
    value = build.current().facts.get(key, "")
    return value if isinstance(value, str) and value in _made() else ""


def _add_to_jinja(generator: Any) -> None:
    generator.env.globals["picture"] = picture
    generator.env.globals["photo"] = photo


def register() -> None:
    """Pelican's entry point for the plugin."""
    signals.generator_init.connect(_add_to_jinja)
