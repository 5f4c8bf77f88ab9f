"""Screenshots of the home page in each language for the README (docs/screenshots/), taken with
Debian's Chromium from the built site in output/ served on 127.0.0.1.

Run: .venv/bin/python -m keter_site.tooling.screenshots   (after bin/invoke build)
"""

from keter_site.core.project import ROOT
from keter_site.tooling.browser import browser_session, serve_directory


def main():
    target = ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    with serve_directory(ROOT / "output") as url, browser_session() as chromium:
        tab = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        for lang, path in (("he", "/"), ("en", "/en/")):
            tab.goto(url + path)
            tab.screenshot(path=str(target / f"home-{lang}.png"))
            print(f"docs/screenshots/home-{lang}.png")


if __name__ == "__main__":
    main()
