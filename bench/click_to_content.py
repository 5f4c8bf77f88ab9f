"""Click to content: how long a reader waits for the next page after tapping a link, with the
site's speculation rules (the Speculation-Rules header of deploy/policy.yml: the browser fetches
a page of the site while the pointer rests on its link) and without them.

    .venv/bin/python -m bench.click_to_content output/ [--runs 5] [--markdown FILE]

The built site (a development build: its links are relative) is served on 127.0.0.1 by the
preview server, with production's headers, once as they are and once without
Speculation-Rules. The server answers each request as a phone on a slow mobile connection would
receive it: after a round trip of 150 ms plus the time 1.6 Mbit/s takes to carry the file
(Lighthouse's "slow 4G"; done in the server, so that every request pays it, the browser's
prefetches included). Debian's Chromium, on a phone-sized screen, opens a page, rests the
pointer on a link for 600 ms (someone deciding), taps it, and reads the next page's own
timings, which start at the tap: when its first byte arrived (responseStart) and when it first
showed content (first contentful paint), and how the page was delivered
("navigational-prefetch" when it came from the prefetch). Prints a table of medians.
"""

import argparse
import contextlib
import statistics
import sys
import threading
import time
from pathlib import Path
from wsgiref.simple_server import make_server

from keter_tools import devserver
from tests.support.browser import chromium_session as browser_session

# (page, link to follow): a card of the home page, a step of the process, both languages.
JOURNEYS = [("/", "/process/"), ("/process/", "/side-effects/"), ("/en/", "/en/research/"),
            ("/en/is-kap-right/", "/en/process/")]
HOVER_MS = 600
ROUND_TRIP_S = 0.150
BYTES_PER_S = 1.6 * 1000 * 1000 / 8
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {responseStart: nav.responseStart, fcp: fcp ? fcp.startTime : null, delivery: nav.deliveryType || 'network'};
}"""


def slow_network(app):
    """The app, answering as a slow 4G connection delivers: a round trip, then the bytes."""
    def slow(environ, start_response):
        body = b"".join(app(environ, start_response))
        time.sleep(ROUND_TRIP_S + len(body) / BYTES_PER_S)
        return [body]
    return slow


@contextlib.contextmanager
def serve(folder, speculation):
    headers = devserver.preview_headers()
    if not speculation:
        headers = {name: value for name, value in headers.items() if name != "Speculation-Rules"}
    app = slow_network(devserver.make_app(folder, None, headers))
    server = make_server("127.0.0.1", 0, app, server_class=devserver._ThreadingWSGIServer,
                         handler_class=devserver._QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def journey(chromium, url, start, target):
    # bypass_csp: Playwright's waiting uses eval, which the site's policy (rightly) refuses.
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, bypass_csp=True)
    page = context.new_page()
    page.goto(url + start, wait_until="load")
    link = page.locator(f'main a[href="{target}"]').first
    link.scroll_into_view_if_needed()
    link.hover()
    page.wait_for_timeout(HOVER_MS)
    link.click()
    page.wait_for_url(url + target)
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    timings = page.evaluate(TIMINGS)
    context.close()
    return timings


def measure(folder, runs):
    rows = []
    with browser_session() as chromium:
        for speculation in (True, False):
            with serve(folder, speculation) as url:
                for start, target in JOURNEYS:
                    results = [journey(chromium, url, start, target) for _ in range(runs)]
                    rows.append({
                        "mode": "with prefetch" if speculation else "without",
                        "journey": f"{start} → {target}",
                        "first byte": statistics.median(r["responseStart"] for r in results),
                        "content": statistics.median(r["fcp"] for r in results),
                        "delivery": ", ".join(sorted({r["delivery"] for r in results})),
                    })
    return rows


def table(rows, runs):
    lines = ["| journey | speculation rules | first byte after tap (ms) | content shown after tap (ms) | delivered by |",
             "| --- | --- | ---: | ---: | --- |"]
    for row in sorted(rows, key=lambda r: (r["journey"], r["mode"] != "with prefetch")):
        lines.append(f"| {row['journey']} | {row['mode']} | {row['first byte']:.0f} | {row['content']:.0f} | {row['delivery']} |")
    by_mode = {mode: statistics.median(r["content"] for r in rows if r["mode"] == mode)
               for mode in ("with prefetch", "without")}
    lines.append("")
    lines.append(f"Median of {runs} taps per journey; phone screen, slow 4G (served), "
                 f"pointer resting {HOVER_MS} ms before the tap. Content shown after the tap, median of "
                 f"the journeys: {by_mode['with prefetch']:.0f} ms with the speculation rules, "
                 f"{by_mode['without']:.0f} ms without.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a development build of the site (bin/invoke build: output/)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    if not (args.folder / "index.html").is_file():
        print(f"no site in {args.folder}: build it first (bin/invoke build)", file=sys.stderr)
        return 2
    rows = measure(args.folder, args.runs)
    text = table(rows, args.runs)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    prefetched = [r for r in rows if r["mode"] == "with prefetch"]
    # The rules must have worked: every journey with them came from the prefetch.
    return 0 if all(r["delivery"] == "navigational-prefetch" for r in prefetched) else 1


if __name__ == "__main__":
    sys.exit(main())
