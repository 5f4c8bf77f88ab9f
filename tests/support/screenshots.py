"""Screenshots for the README (docs/screenshots/), taken with Debian's Chromium from the built site
in output/ served on 127.0.0.1: the home page in each language, on a phone (390 x 844) and a
desktop (1280 x 800), in the light and the dark colour scheme, and the process page's five steps
on a phone; the contact page on a phone; and the two hardest cases of the design review: the
home page on a 320 px phone with the browser's text at 200%, and in forced colours (Windows high
contrast) with the menu open. Named `<page>-<lang>-<phone|desktop>-<light|dark>.png` and
`<page>-<lang>-<case>.png`.

Run: .venv/bin/python -m tests.support.screenshots   (after bin/invoke build)
"""

from keter_site.core.project import ROOT
from tests.support.browser import chromium_session as browser_session, serve_directory

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
PAGES = {"home": {"he": "/", "en": "/en/"}}
# One more page, for its component: the five steps as a path (phone, light).
EXTRA = [("process", "he", "/process/", "phone", "light", ".step-path"),
         ("process", "en", "/en/process/", "phone", "light", ".step-path"),
         ("contact", "he", "/contact/", "phone", "light", ".contact--full"),
         ("contact", "en", "/en/contact/", "phone", "light", ".contact--full")]
# (file name, path, viewport, large text (32 px), forced colours with the menu open)
CASES = [("home-en-320-large-text.png", "/en/", {"width": 320, "height": 640}, True, False),
         ("home-he-320-large-text.png", "/", {"width": 320, "height": 640}, True, False),
         ("home-he-phone-forced-colours-menu.png", "/", SCREENS["phone"], False, True)]


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
                tab.evaluate("(s) => { const el = document.querySelector(s);"
                             " (el.previousElementSibling || el).scrollIntoView({block: 'start'}); }", selector)
            tab.screenshot(path=str(target / name))
            context.close()
            print(f"docs/screenshots/{name}")
        for name, path, viewport, large_text, forced in CASES:
            context = chromium.new_context(viewport=viewport, device_scale_factor=1,
                                           forced_colors="active" if forced else "none")
            tab = context.new_page()
            if large_text:
                # The browser's own text-size setting at 200% (32 px), as a reader sets it.
                cdp = context.new_cdp_session(tab)
                cdp.send("Page.enable")
                cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
            tab.goto(url + path)
            tab.add_style_tag(content=".review-pending { display: none !important; }")
            if forced:
                tab.evaluate("document.querySelector('nav.site-nav details').open = true")
            tab.screenshot(path=str(target / name))
            context.close()
            print(f"docs/screenshots/{name}")


if __name__ == "__main__":
    main()
