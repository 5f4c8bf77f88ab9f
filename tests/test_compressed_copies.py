"""Compressed copies kept from one publish to the next (keter_site.compressed_copies): real
publish builds (`invoke build` with publishconf.py) of a small site, sharing one cache folder."""

import gzip

import brotli

from tests.support.sites import FixtureSite

# The fixture's translations carry no record of the page they follow.
ENV = {"SIGNUP_ENDPOINT": "https://forms.example.test/f", "SITEURL": "https://www.keter-health.example",
       "ALLOW_STALE_TRANSLATIONS": "1"}


def _publish(site, cache, output):
    site.extra_settings = f"COMPRESSED_COPIES_CACHE = {str(cache)!r}\n"
    build = site.invoke_build(output, base="publishconf", env=ENV)
    assert build.returncode == 0, build.log
    return build


def _copies(output):
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.suffix in (".br", ".gz")}


def _kept(cache, data):
    """The cache's file that holds `data` (a copy's bytes)."""
    found = [path for path in cache.rglob("*") if path.is_file() and path.read_bytes() == data]
    assert len(found) == 1, found
    return found[0]


def test_a_publish_reuses_the_copies_of_unchanged_files_and_remakes_a_damaged_one(tmp_path):
    site = FixtureSite(tmp_path / "site")
    cache = tmp_path / "cache"
    first = _publish(site, cache, tmp_path / "first")
    made = _copies(first.output)
    home, stylesheet = "index.html", next(name for name in made if name.endswith(".css.br"))[:-3]
    assert {f"{home}.br", f"{home}.gz", f"{stylesheet}.br", f"{stylesheet}.gz"} <= set(made)
    # A copy in the cache is what the next publish uses: plant a valid copy that the build would
    # never make itself (brotli's lowest level), and damage another.
    page = (first.output / home).read_bytes()
    planted = brotli.compress(page, quality=1)
    assert planted != made[f"{home}.br"]
    _kept(cache, made[f"{home}.br"]).write_bytes(planted)
    damaged = _kept(cache, made[f"{stylesheet}.br"])
    damaged.write_bytes(b"not brotli")
    truncated = _kept(cache, made[f"{stylesheet}.gz"])
    truncated.write_bytes(made[f"{stylesheet}.gz"][:40])

    second = _publish(site, cache, tmp_path / "second")
    again = _copies(second.output)
    assert set(again) == set(made)
    assert again[f"{home}.br"] == planted
    # The damaged copy was not published: made again (brotli gives the same bytes), and kept.
    assert again[f"{stylesheet}.br"] == made[f"{stylesheet}.br"]
    assert brotli.decompress(again[f"{stylesheet}.br"]) == (second.output / stylesheet).read_bytes()
    assert damaged.read_bytes() == made[f"{stylesheet}.br"]
    assert again[f"{stylesheet}.gz"] == made[f"{stylesheet}.gz"] == truncated.read_bytes()
    assert {name: data for name, data in again.items() if name != f"{home}.br"} == \
        {name: data for name, data in made.items() if name != f"{home}.br"}


def test_a_changed_file_gets_new_copies(tmp_path):
    site = FixtureSite(tmp_path / "site")
    cache = tmp_path / "cache"
    first = _publish(site, cache, tmp_path / "first")
    site.write_page("en", "home", (site.content / "en" / "home.md").read_text(encoding="utf-8") + "\nA new sentence.\n")
    second = _publish(site, cache, tmp_path / "second")
    page = "en/index.html"
    assert (second.output / page).read_bytes() != (first.output / page).read_bytes()
    for name, data in _copies(second.output).items():
        original = (second.output / name[:-3]).read_bytes()
        assert (brotli.decompress(data) if name.endswith(".br") else gzip.decompress(data)) == original, name
