"""Command line of the publishing pipeline (publish, rollback, releases, build), the same code `invoke publish` runs.
`build` makes the checked site, sending it nowhere (for Netlify, Cloudflare Pages); `publish --from FOLDER` sends it.
"""

import argparse
import json
import os
from collections.abc import Sequence

from keter_tools import build as site_build
from keter_tools.deploy import pipeline
from keter_tools.deploy.common import deploying
from keter_tools.deploy.headers import NGINX_CONF_NAME


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command of the pipeline; SystemExit says whether it went through (1: refused, 130: interrupted)."""
    parser = argparse.ArgumentParser(prog="python -m keter_tools.deploy",
                                     description=(__doc__ or "").split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("publish", "rollback", "build", "releases"):
        command = commands.add_parser(name)
        command.add_argument("--settings", default="publishconf.py", help="settings file (default publishconf.py)")
        command.add_argument("--staging", action="store_true",
                             help="a preview for the clinic: launch readiness not enforced, noindex, a preview ribbon")
        if name != "build":
            command.add_argument("--target", choices=pipeline.TARGETS, help="override DEPLOY_TARGET")
    commands.choices["publish"].add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    commands.choices["publish"].add_argument("--from", dest="checked", metavar="FOLDER",
                                             help="publish this folder made by `build --out` (no new build)")
    commands.choices["rollback"].add_argument("--to", help="release name (default: the one before current)")
    commands.choices["releases"].add_argument("--json", action="store_true", help="as JSON (the site desk reads it)")
    commands.choices["build"].add_argument("--out", help=f"build folder (default {pipeline.BUILD_DIR})")
    args = parser.parse_args(argv)
    site_build.setup_logging()
    if args.staging:
        os.environ["STAGING"] = "1"  # read by publishconf.py
    with deploying():
        if args.command == "publish":
            pipeline.publish(args.settings, args.target, args.dry_run, checked=args.checked)
        elif args.command == "rollback":
            pipeline.rollback(args.settings, args.target, args.to)
        elif args.command == "releases":
            found = pipeline.releases(args.settings, args.target)
            if args.json:
                print(json.dumps(found))
            for release in [] if args.json else found:
                print(pipeline.release_line(release))
        else:
            prepared = pipeline.prepare(args.settings, args.out)
            print(f"Site: {prepared.site}\nnginx configuration: {prepared.site.parent / 'nginx' / NGINX_CONF_NAME}")


if __name__ == "__main__":
    main()
