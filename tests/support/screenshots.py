"""Screenshots for the README (docs/screenshots/), taken with Debian's Chromium from the built site
in output/ served on 127.0.0.1: the home page in each language, on a phone (390 x 844) and a
desktop (1280 x 800), in the light and the dark colour scheme, and the process page's five steps
on a phone. Named `<page>-<lang>-<phone|desktop>-<light|dark>.png`.

Run: .venv/bin/python -m tests.support.screenshots   (after bin/invoke build)
"""

from keter_site.core.project import ROOT
from tests.support.browser import chromium_session as browser_session, serve_directory

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
PAGES = {"home": {"he": "/", "en": "/en/"}}
# One more page, for its component: the five steps as a path (phone, light).
EXTRA = [("process", "he", "/process/", "phone", "light", ".step-path"),
         ("process", "en", "/en/process/", "phone", "light", ".step-path")]


def shots():
    """[(file name, path, screen, scheme, selector or None)] in the order they are taken."""
    found = []
    for page, paths in PAGES.items():
        for lang, path in paths.items():
            for screen in SCREENS:
                for scheme in SCHEMES:
                    found.append((f"{page}-{lang}-{screen}-{scheme}.png", path, screen, scheme, None))
    found += [(f"{page}-{lang}-{screen}-{scheme}.png", path, screen, scheme, selector)
              for page, lang, path, screen, scheme, selector in EXTRA]
    return found


def main():
    target = ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    with serve_directory(ROOT / "output") as url, browser_session() as chromium:
        for name, path, screen, scheme, selector in shots():
            context = chromium.new_context(viewport=SCREENS[screen], color_scheme=scheme, device_scale_factor=1)
            tab = context.new_page()
            tab.goto(url + path)
            # As the public sees the pages: without the editors' "awaiting review" note, which a
            # development build shows on every medical page until the physician approves it.
            tab.add_style_tag(content=".review-pending { display: none !important; }")
            if selector:
                # From the heading just above the part, so the picture says what it shows.
                tab.evaluate("(s) => { const el = document.querySelector(s); (el.previousElementSibling || el).scrollIntoView({block: 'start'}); }", selector)
            tab.screenshot(path=str(target / name))
            context.close()
            print(f"docs/screenshots/{name}")


if __name__ == "__main__":
    main()
