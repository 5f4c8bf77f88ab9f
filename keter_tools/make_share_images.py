"""The share images link previews show (WhatsApp, Facebook, X, search results), theme/static/images/share-<lang>.png:
drawn by headless Chromium from a small page, so Hebrew (right to left, its own font) is laid out as a browser does.
"""

import html
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from keter_site.core import data
from keter_site.core.project import ROOT
from keter_tools.build import load_settings


CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1200, 630
MAX_BYTES = 60_000  # messaging apps drop preview images that are slow to fetch
OUT = ROOT / "theme" / "static" / "images"

# The favicon's crown, drawn larger; colours are the theme's --accent and --paper.
PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: {width}px; height: {height}px; overflow: hidden; }}
body {{ box-sizing: border-box; padding: 0 96px; display: flex; flex-direction: column;
  justify-content: center; background: #0b5e63; color: #fbfaf7;
  font-family: "Noto Sans Hebrew", "Noto Sans", sans-serif; }}
svg {{ width: 132px; height: 132px; margin-block-end: 36px; }}
h1 {{ font-size: 104px; line-height: 1.1; margin: 0 0 28px; font-weight: 700; }}
p {{ font-size: 54px; line-height: 1.3; margin: 0; max-width: 960px; text-wrap: balance; }}
.rule {{ width: 160px; height: 8px; background: #fbfaf7; margin-block-end: 36px; border-radius: 4px; }}
</style></head><body>
<svg viewBox="4 6 24 22" aria-hidden="true"><path d="M6 22h20l1-11-5.5 4.5L16 8l-5.5 7.5L5 11z" fill="#fbfaf7"/>
<rect x="6" y="24" width="20" height="2.5" rx="1" fill="#fbfaf7"/></svg>
<h1>{name}</h1>
<div class="rule"></div>
<p>{tagline}</p>
</body></html>
"""


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG, by Pillow: Chromium's screenshot must be exactly the size previews expect."""
    with Image.open(path, formats=["PNG"]) as image:
        return image.size


def make(lang: str, language: Mapping[str, Any], workdir: str | Path) -> tuple[Path, int]:
    """Draw one language's share image with Chromium and write it to the theme; SystemExit when it
    is the wrong size or too heavy for messaging apps."""
    strings = data.load(ROOT / "theme" / "strings" / f"{lang}.yml", strings_only=True)
    page = Path(workdir) / f"share-{lang}.html"
    page.write_text(PAGE.format(lang=lang, dir=language["dir"], width=WIDTH, height=HEIGHT,
                                name=html.escape(strings["site.name"]),
                                tagline=html.escape(strings["seo.share_tagline"])), encoding="utf-8")
    shot = Path(workdir) / f"share-{lang}.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--window-size={WIDTH},{HEIGHT}",
                    f"--user-data-dir={Path(workdir) / 'profile'}", f"--screenshot={shot}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    if png_size(shot) != (WIDTH, HEIGHT):
        raise SystemExit(f"{lang}: Chromium made a {png_size(shot)} image, not {WIDTH}x{HEIGHT}.")
    image = shot.read_bytes()
    if len(image) > MAX_BYTES:
        raise SystemExit(f"{lang}: the image is {len(image)} bytes (at most {MAX_BYTES}); shorten the text.")
    target = OUT / f"share-{lang}.png"
    target.write_bytes(image)
    return target, len(image)


def main() -> None:
    """Make every language's share image; run it again after the name or the tagline changes."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        for lang, language in load_settings()["LANGUAGES"].items():
            target, size = make(lang, language, workdir)
            print(f"{target.relative_to(ROOT)}: {WIDTH}x{HEIGHT}, {size} bytes")


if __name__ == "__main__":
    main()
