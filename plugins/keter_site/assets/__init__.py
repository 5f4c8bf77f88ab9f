"""The theme's stylesheet and scripts, bundled, minified and named by their fingerprint, so browsers may cache
them for a year (`asset_url('css/site.css')`, `asset_url('js/<name>.js')` in templates)."""

from typing import Any

import re
from pathlib import Path

import rcssmin
import rjsmin
from jinja2 import pass_context
from pelican import signals

from keter_site.core import build
from keter_site.core.fingerprints import of_bytes

DIGEST_LENGTH = 12
# The one rule for a fingerprinted file's path in the site: the deploy headers (keter_tools.
# deploy.headers) give exactly these files a year of caching.
FINGERPRINTED = re.compile(r"^theme/.+\.[0-9a-f]{%d}\.[a-z0-9]+$" % DIGEST_LENGTH)


def _fingerprinted(logical: str, data: bytes) -> str:
    digest = of_bytes(data, DIGEST_LENGTH)
    stem, _, ext = logical.rpartition(".")
    return f"theme/{stem}.{digest}.{ext}"


def collect(theme: str | Path) -> dict[str, tuple[str, bytes]]:
    """logical name -> (output path under the site root, minified bytes) of every bundle."""
    theme = Path(theme)
    components = sorted((theme / "components").glob("*/"))
    # One stylesheet for site.css and every component's: a single small request for first render.
    css_sources = [theme / "assets" / "site.css"] + [c / f"{c.name}.css" for c in components]
    css = "\n".join(p.read_text(encoding="utf-8") for p in css_sources if p.exists())
    bundles = {"css/site.css": rcssmin.cssmin(css).encode("utf-8")}
    for component in components:
        script = component / f"{component.name}.js"
        if script.exists():
            bundles[f"js/{component.name}.js"] = rjsmin.jsmin(script.read_text(encoding="utf-8")).encode("utf-8")
    return {name: (_fingerprinted(name, data), data) for name, data in bundles.items()}


def _on_init(pelican: Any) -> None:
    build.current().assets = collect(pelican.settings["THEME"])
    # The compiled templates' cache (JINJA_ENVIRONMENT's bytecode_cache in pelicanconf.py) writes
    # into its folder: made here, when a build starts, never when the settings are read.
    cache = pelican.settings.get("JINJA_ENVIRONMENT", {}).get("bytecode_cache")
    if getattr(cache, "directory", None):
        Path(cache.directory).mkdir(parents=True, exist_ok=True)


@pass_context
def asset_url(context: Any, logical: str) -> str:
    """`{{ asset_url('css/site.css') }}`: the fingerprinted file's address."""
    bundles = build.current().assets
    if logical not in bundles:
        raise KeyError(f"no theme asset '{logical}' (known: {', '.join(sorted(bundles))})")
    return f"{context['SITEURL']}/{bundles[logical][0]}"


def _add_to_jinja(generator: Any) -> None:
    generator.env.globals["asset_url"] = asset_url


def before_writing(pelican: Any) -> None:
    """Write the bundles, once the checks found no problem: a build stopped by its checks writes
    nothing into the output folder, with Pelican's own command too."""
    output = Path(pelican.output_path)
    for path, data in build.current().assets.values():
        target = output / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def register() -> None:
    """Bundle when a build starts (the pipeline writes them: `before_writing`)."""
    signals.initialized.connect(_on_init)
    signals.generator_init.connect(_add_to_jinja)
