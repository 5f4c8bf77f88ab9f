"""The clinic's photos made at build time (keter_site.images), on a copy of the site with a photo
the test makes itself (Pillow): AVIF, WebP and JPEG at several widths, upright and without their
metadata; <picture> with srcset, sizes, width, height and lazy loading below the fold; what a
phone really downloads (real Chromium) within the image budget; the cache between builds; and a
missing, unreadable or too small photo refused with the data file's line and a fix."""

import importlib.util
import re

import pytest
from PIL import Image

from tests.support.browser import serve_directory
from tests.support.photos import PHOTO, SHOWN, make_photo, set_clinic
from tests.support.sites import ROOT, FixtureSite, page_text

from keter_site import images
from keter_site.incremental import State
from keter_tools import build as keter_build


def _page_weight():
    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "bench" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _set_clinic(site, **values):
    set_clinic(site.content / "data" / "clinic.yml", **values)


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory):
    site = FixtureSite(tmp_path_factory.mktemp("photos") / "site")
    for lang in ("he", "en"):
        site.write_page(lang, "team", page_text("team", lang, title=f"Team {lang}"))
    make_photo(site.content / PHOTO)
    _set_clinic(site, physician_photo=PHOTO)
    site.extra_settings = f"IMAGES_CACHE_PATH = {str(site.base / 'image-cache')!r}\n"
    build = site.build()
    assert build.returncode == 0, build.log
    return site, build


def _variants(doc):
    picture = doc.select_one("picture.physician__photo")
    assert picture, "no photo on the page"
    sources = {s["type"]: s for s in picture.select("source")}
    return picture, sources, picture.select_one("img")


def test_the_photo_is_made_in_avif_webp_and_jpeg_at_each_width_upright_and_without_metadata(photo_site):
    site, build = photo_site
    for prefix, alt_lang in (("", "he"), ("en/", "en")):
        picture, sources, img = _variants(build.html(f"{prefix}team/index.html"))
        assert list(sources) == ["image/avif", "image/webp"]  # best first; the <img> is the JPEG
        sets = {"AVIF": sources["image/avif"]["srcset"], "WEBP": sources["image/webp"]["srcset"], "JPEG": img["srcset"]}
        for form, srcset in sets.items():
            candidates = [part.strip().split() for part in srcset.split(",")]
            widths = [int(w.removesuffix("w")) for _, w in candidates]
            assert widths == list(images.WIDTHS), (form, widths)  # all below the photo's 1200 px
            for url, descriptor in candidates:
                assert re.fullmatch(r"/theme/photos/physician-\d+\.[0-9a-f]{12}\.(avif|webp|jpg)", url), url
                with Image.open(build.output / url.lstrip("/")) as made:
                    width = int(descriptor.removesuffix("w"))
                    assert made.format == form and made.size == (width, round(width * SHOWN[1] / SHOWN[0])), url
                    assert not made.getexif(), url  # no orientation left to apply, no maker, no place
        assert img["src"] in img["srcset"] and img["src"].endswith(".jpg")
        assert (img["width"], img["height"]) == ("960", "1280")
        assert img["alt"] and img["decoding"] == "async"
        assert all(s["sizes"] == img["sizes"] for s in sources.values())
        # At the top of the team page it loads at once; on the home page, below the fold, lazily.
        assert img.get("loading", "eager") == "eager"
        _, _, home_img = _variants(build.html(f"{prefix}index.html"))
        assert home_img["loading"] == "lazy"


def test_a_phone_downloads_the_avif_it_needs_within_the_image_budget(photo_site, browser):
    site, build = photo_site
    budget = _page_weight().IMAGE_BUDGET
    with serve_directory(build.output) as url:
        for path in ("/team/", "/en/team/", "/", "/en/"):
            # A new context for each page: nothing comes from the browser's cache.
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3)
            try:
                tab = context.new_page()
                tab.goto(url + path)
                tab.locator("picture.physician__photo img").scroll_into_view_if_needed()
                tab.wait_for_function("document.querySelector('picture.physician__photo img').complete")
                shown = tab.evaluate("""() => { const img = document.querySelector('picture.physician__photo img');
                  const box = img.getBoundingClientRect();
                  return {src: img.currentSrc, natural: img.naturalWidth, css: box.width, ratio: box.height / box.width,
                          bytes: performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'img')
                            .reduce((sum, e) => sum + e.encodedBodySize, 0)}; }""")
                assert shown["src"].endswith(".avif"), (path, shown)
                # Sharp on a 3x screen, yet not the largest file: the width the layout needs.
                chosen = int(re.search(r"physician-(\d+)\.", shown["src"]).group(1))
                assert shown["css"] * 3 <= chosen < images.WIDTHS[-1], (path, shown)
                assert abs(shown["ratio"] - SHOWN[1] / SHOWN[0]) < 0.01, (path, shown)
                assert 0 < shown["bytes"] <= budget, (path, shown, budget)
            finally:
                context.close()


def test_the_page_weight_benchmark_counts_the_photo_against_the_budget(photo_site):
    site, build = photo_site
    page_weight = _page_weight()
    measured = page_weight.measure_page(page_weight.Site(build.output, ""), build.output / "en" / "team" / "index.html", {})
    largest_avif = max((p.stat().st_size for p in (build.output / "theme" / "photos").glob("*.avif")))
    assert measured["images"] == largest_avif  # the most a browser that reads AVIF fetches
    assert measured["images"] <= page_weight.IMAGE_BUDGET


def test_a_second_build_encodes_nothing_again(photo_site, tmp_path):
    site, first = photo_site
    cache = site.base / "image-cache"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(before) == 3 * len(images.WIDTHS)
    again = site.build(tmp_path / "again")
    assert again.returncode == 0, again.log
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    made = sorted(p.relative_to(first.output) for p in (first.output / "theme" / "photos").iterdir())
    assert made == sorted(p.relative_to(again.output) for p in (again.output / "theme" / "photos").iterdir())
    assert all((first.output / p).read_bytes() == (again.output / p).read_bytes() for p in made)


def test_the_live_previews_builds_serve_the_photo_and_keep_it_after_an_edit(photo_site, tmp_path):
    # The photo is written on `get_writer`, after the checks: each preview build writes it into
    # its fresh folder, from which it takes its place in the served one, and is never removed
    # as a file the build no longer has.
    site, first = photo_site
    copy = site.copy(tmp_path / "site")
    settings, served, state = copy.settings_file(), tmp_path / "served", State()
    made = {p.name: p.read_bytes() for p in (first.output / "theme" / "photos").iterdir()}
    assert len(made) == 3 * len(images.WIDTHS)
    assert keter_build.build(settings, served, incremental=state, full=True).ok
    (copy.content / "en" / "team.md").write_text(
        page_text("team", "en", title="Team en", body="An edit the preview must show."), encoding="utf-8")
    second = keter_build.build(settings, served, incremental=state)
    assert second.ok, second.message
    assert "en/team/index.html" in state.rendered
    assert "An edit the preview must show." in (served / "en" / "team" / "index.html").read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in (served / "theme" / "photos").iterdir()} == made


def test_no_photo_shows_no_picture(photo_site, tmp_path):
    site, _ = photo_site
    copy = site.copy(tmp_path / "site")
    _set_clinic(copy, physician_photo="none")
    build = copy.build(tmp_path / "out")
    assert build.returncode == 0, build.log
    for relative in ("team/index.html", "en/index.html"):
        doc = build.html(relative)
        assert doc.select_one(".physician .physician__name") and not doc.select("picture, img"), relative
    assert not (build.output / "theme" / "photos").exists()


def test_a_missing_unreadable_or_too_small_photo_stops_the_build_with_line_and_fix(photo_site, tmp_path):
    site, _ = photo_site
    copy = site.copy(tmp_path / "site")
    (copy.content / "images" / "team" / "not-a-photo.jpg").write_text("not a photo", encoding="utf-8")
    make_photo(copy.content / "images" / "team" / "small.jpg", size=(300, 400), orientation=1)
    _set_clinic(copy, physician_photo="images/team/missing.jpg", facilitator_photo="images/team/not-a-photo.jpg",
                other_photo="images/team/small.jpg")
    build = copy.build(tmp_path / "out")
    assert build.returncode == 1
    lines = (copy.content / "data" / "clinic.yml").read_text(encoding="utf-8").splitlines()
    line = {key: next(n for n, text in enumerate(lines, 1) if text.startswith(key + ":"))
            for key in ("physician_photo", "facilitator_photo", "other_photo")}
    log = build.log
    assert (f"clinic.yml:{line['physician_photo']}: `physician_photo` names images/team/missing.jpg, which is not a file "
            "in content/.") in log
    assert 'or write `physician_photo: "none"` for no photo' in log
    assert f"clinic.yml:{line['facilitator_photo']}: `facilitator_photo`: content/images/team/not-a-photo.jpg cannot be read" in log
    assert f"clinic.yml:{line['other_photo']}: `other_photo`: content/images/team/small.jpg is 300 pixels wide" in log
    assert not list((tmp_path / "out").rglob("*.html")) and not (tmp_path / "out" / "theme" / "photos").exists()
