"""Build with the production settings, check, then hand the site to a deploy target: each step succeeds or stops the
publish before anything is sent, so a failure anywhere leaves the live site as it was.
"""

import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keter_tools import build as site_build

from . import checks, headers
from .common import INTERRUPTED, DeployError, Release, Summary, Target

from keter_site.core import fingerprints
from keter_site.core.project import ROOT
from keter_site.signup_form import resolve


BUILD_DIR = ROOT / ".cache" / "publish"
TARGETS = ("rsync", "s3")


@dataclass
class Prepared:
    """A built and checked site, ready for a target to send."""

    site: Path            # the built site, ready to send
    nginx_conf: str       # the nginx configuration rendered for this publish's server
    settings: dict[str, Any]


def _site_root(settings: Mapping[str, Any]) -> str:
    return f"{(settings.get('DEPLOY_RSYNC') or {}).get('path') or '/srv/keter-health'}".rstrip("/") + "/current"


def _project_checks(site: Path, settings: Mapping[str, Any]) -> list[str]:
    """The checks `invoke check` runs on the development build, here on the site to publish:
    every internal link resolves, and every page passes the Nu Html Checker."""
    from keter_tools import linkcheck, validate_html

    problems = linkcheck.check(site, settings.get("SITEURL") or "")
    try:
        code, errors = validate_html.validate(site)
    except FileNotFoundError as error:
        return problems + [str(error)]
    if code != 0 or errors:
        problems += errors or [f"the Nu Html Checker failed (exit {code})"]
    return problems


def _launch_addresses(settings: Mapping[str, Any], siteurl: str, endpoint: str) -> None:
    """Refuse a launch whose public address or signup endpoint is a name reserved for examples
    and tests (a staging preview may use one)."""
    if settings.get("STAGING"):
        return
    problems = checks.reserved_addresses(siteurl, endpoint, settings)
    if problems:
        raise DeployError("Not published: " + " ".join(map(str, problems)))


def _signatures(settings: Mapping[str, Any]) -> dict[str, Any]:
    """{page: "principal (key SHA256:...) on date"} of every medical page's signed approval, as
    the publish report lists them; and the allowed signers' digest and path."""
    from keter_site.medical_review import approvals
    from keter_tools import readiness

    signers, _ = approvals.load_signers(settings)
    signed = {}
    for status in readiness.pages(settings, signers=signers):
        review = status.review
        if review is not None and review.state in ("current", "released"):
            signed[status.key] = f"{review.state} {review.principal} ({review.key}) on {review.on}"
    print(f"Medical reviews checked against {signers.path}" + (" (pinned)" if signers.pinned else "") + ":")
    for key, line in signed.items():
        print(f"  {key}: {line}")
    return {"allowed_signers": str(signers.path), "allowed_signers_sha256": signers.digest(), "signed": signed}


def prepare(settings_file: str | Path = "publishconf.py", build_dir: str | Path | None = None) -> Prepared:
    """Build the site with `settings_file` into `build_dir`/site (default: DEPLOY_BUILD_PATH, or .cache/publish), write
    the hosts' header files and the nginx configuration, and run every check; DeployError with the report."""
    started = time.perf_counter()
    overrides = {"CACHE_CONTENT": False}
    settings = site_build.load_settings(settings_file, overrides)
    endpoint = resolve(settings)[0]
    _launch_addresses(settings, settings.get("SITEURL") or "", endpoint)
    build_dir = Path(build_dir or settings.get("DEPLOY_BUILD_PATH") or BUILD_DIR)
    print(f"Building with {Path(settings_file).name} for {settings.get('SITEURL') or '(no SITEURL)'} ...")
    result = site_build.build(settings_file, build_dir / "site", overrides, use_cache=False)
    if not result.ok:
        raise DeployError(f"{result.message}\nThe build failed, so nothing was published.")
    site = result.output
    try:
        headers.write_host_files(settings, site)
        conf = headers.nginx_conf(settings, _site_root(settings))
        nginx_conf = build_dir / "nginx" / headers.NGINX_CONF_NAME
        nginx_conf.parent.mkdir(parents=True, exist_ok=True)
        nginx_conf.write_text(conf, encoding="utf-8")
    except (ValueError, KeyError, OSError) as error:
        raise DeployError(f"Could not write the security headers from deploy/policy.yml: {error}") from error
    print("Checking the built site ...")
    problems = checks.check_site(site, settings) + _project_checks(site, settings)
    if problems:
        raise DeployError("The built site failed the publish checks, so nothing was published:\n"
                          + "\n".join(f"- {problem}" for problem in problems))
    release = {"staging": bool(settings.get("STAGING")), "siteurl": settings.get("SITEURL") or "",
               "signup_endpoint": endpoint, **_signatures(settings)}
    _write_manifest(build_dir, site, nginx_conf, release)
    print(f"Built and checked {result.pages} pages in {time.perf_counter() - started:.1f} s.")
    return Prepared(site, conf, settings)


# A folder built and checked once (`deploy build --out FOLDER`) can be published later, or to several targets, with
# `publish --from`: its manifest, written only once every check passed, holds every file's SHA-256, whether it is a
# staging preview, its public address, and the allowed signers and signatures it was checked against.
MANIFEST = "checked.json"
# A robots.txt that keeps every search engine out, as a staging build's does: never sent as the live site either.
STAGING_ROBOTS = re.compile(r"(?mi)^\s*disallow:\s*/\s*$")


# What the manifest covers: the site and its nginx configuration, nothing else of the build
# folder (a build's own folders beside the site, .site.building-*, are no part of what was checked).
CHECKED_FOLDERS = ("site", "nginx")


def _hashes(build_dir: str | Path) -> dict[str, str]:
    found = {}
    for folder in CHECKED_FOLDERS:
        for path in sorted((Path(build_dir) / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(build_dir).as_posix()] = fingerprints.of_bytes(path.read_bytes())
    return found


def _write_manifest(build_dir: Path, site: Path, nginx_conf: Path, release: Mapping[str, Any]) -> None:
    manifest = {"site": site.relative_to(build_dir).as_posix(), "nginx_conf": nginx_conf.relative_to(build_dir).as_posix(),
                **release, "files": _hashes(build_dir)}
    (Path(build_dir) / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def checked_folder(build_dir: str | Path, settings_file: str | Path = "publishconf.py") -> Prepared:
    """The Prepared site of a folder `prepare` built and checked earlier (its medical reviews' signers are listed
    again); DeployError if it was never checked, changed since, or is a staging build sent as the live site."""
    build_dir = Path(build_dir)
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DeployError(f"{build_dir} is not a checked build ({MANIFEST} is missing or unreadable). "
                          "Make one with `python -m keter_tools.deploy build --out FOLDER`, or publish "
                          "without --from.")
    now = _hashes(build_dir)
    changed = sorted(set(now) ^ set(manifest["files"]) | {f for f in now if manifest["files"].get(f) != now[f]})
    if changed:
        raise DeployError(f"{build_dir} changed after it was checked ({len(changed)} file(s), such as "
                          f"{', '.join(changed[:3])}), so nothing was published. Build and check it again.")
    settings = site_build.load_settings(settings_file)
    robots = build_dir / manifest["site"] / "robots.txt"
    staging_robots = robots.is_file() and STAGING_ROBOTS.search(robots.read_text(encoding="utf-8", errors="replace"))
    if "staging" not in manifest:
        raise DeployError(f"{build_dir} was checked before builds recorded whether they are staging previews. "
                          "Build and check it again.")
    if not settings.get("STAGING") and (manifest["staging"] or staging_robots):
        raise DeployError(f"{build_dir} is a staging preview (built with --staging: unreviewed pages and "
                          "placeholders allowed, every page marked as a preview), so it was not published as "
                          "the live site. Build the release without --staging (`python -m keter_tools.deploy "
                          "build --out FOLDER`), or publish this folder as a preview with --staging.")
    _launch_addresses(settings, manifest.get("siteurl", ""), manifest.get("signup_endpoint", ""))
    print(f"Medical reviews as checked against {manifest.get('allowed_signers', '?')}:")
    for key, line in (manifest.get("signed") or {}).items():
        print(f"  {key}: {line}")
    # The server's configuration names where this target keeps the site: made for this
    # publish's settings (the checked folder's own may have been made for another server).
    return Prepared(build_dir / manifest["site"], headers.nginx_conf(settings, _site_root(settings)), settings)


def make_target(settings: Mapping[str, Any], name: str | None = None) -> Target:
    """The deploy target `name` (default: DEPLOY_TARGET, else rsync), set up from its settings."""
    name = name or settings.get("DEPLOY_TARGET") or "rsync"
    if name == "rsync":
        from .rsync_target import RsyncTarget

        return RsyncTarget(settings.get("DEPLOY_RSYNC") or {})
    if name == "s3":
        from .s3_target import S3Target

        return S3Target(settings.get("DEPLOY_S3") or {})
    raise DeployError(f"unknown deploy target {name!r}: use one of {', '.join(TARGETS)} "
                      "(DEPLOY_TARGET in publishconf.py or --target).")


def publish(settings_file: str | Path = "publishconf.py", target: str | None = None, dry_run: bool = False,
            checked: str | Path | None = None) -> Summary | None:
    """Build, check and deploy, or deploy the folder `checked` built and checked earlier; the Summary (None: a dry run).
    Every publish but a dry run is recorded in the publish log, whether it went live or stopped."""
    started = time.perf_counter()
    kind = "staging" if os.environ.get("STAGING") == "1" else "live"
    destination = ""
    try:
        prepared = checked_folder(checked, settings_file) if checked else prepare(settings_file)
        deployer = make_target(prepared.settings, target)
        destination = deployer.destination
        summary = deployer.publish(prepared.site, prepared.nginx_conf, dry_run=dry_run)
    except (DeployError, KeyboardInterrupt) as error:  # refused, or stopped (Ctrl+C, `kill`)
        if not dry_run:
            record(settings_file, kind, False, destination=destination, result=str(error) or INTERRUPTED)
        raise
    if summary is not None:
        summary.seconds = time.perf_counter() - started
        print(summary.line())
        record(settings_file, kind, True, summary.release, summary.destination, summary.line())
    return summary


def rollback(settings_file: str | Path = "publishconf.py", target: str | None = None, to: str | None = None) -> str:
    """Switch the live site to release `to` (default: the one before), and record it in the publish log."""
    deployer = make_target(site_build.load_settings(settings_file), target)
    try:
        release = deployer.rollback(to)
    except (DeployError, KeyboardInterrupt) as error:
        record(settings_file, "rollback", False, destination=deployer.destination, result=str(error) or INTERRUPTED)
        raise
    record(settings_file, "rollback", True, release or "", deployer.destination, f"Now serving release {release}.")
    return release


def release_line(release: Release) -> str:
    """One release as `bin/invoke rollback --list` prints it."""
    return f"{release['name']}  {release['when'] or '-'}{'  (live)' if release['live'] else ''}"


def releases(settings_file: str | Path = "publishconf.py", target: str | None = None) -> list[Release]:
    """The target's releases, newest first ([{name, when, live}]); DeployError for a target
    that keeps none."""
    return make_target(site_build.load_settings(settings_file), target).releases()


# --- The publish log ------------------------------------------------------------------------
# One JSON line per publish (not dry runs) and rollback, from a terminal, the site desk or CI:
# var/publishes.jsonl beside the settings file, readable by this user only. It records what
# happened on this machine; a publish made from another machine is in that machine's log.
PUBLISH_LOG = Path("var") / "publishes.jsonl"


def _publisher() -> str:
    """Who publishes: the name the site desk passes on (the editor's), else git's author name,
    else the operating-system user."""
    import getpass
    import subprocess

    name = os.environ.get("KETER_PUBLISHED_BY") or os.environ.get("GIT_AUTHOR_NAME")
    if not name:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True)
        name = result.stdout.strip()
    return name or getpass.getuser()


def _version(root: Path) -> str:
    """The content's version: git's short commit name (+"-dirty" with uncommitted changes), or ""."""
    import subprocess

    result = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def log_path(settings_file: str | Path = "publishconf.py") -> Path:
    """The publish log beside the settings file, so each project's copy keeps its own."""
    return Path(settings_file).resolve().parent / PUBLISH_LOG


def record(settings_file: str | Path, kind: str, ok: bool, release: str = "", destination: str = "",
           result: str = "") -> None:
    """Append one publish or rollback to the publish log (mode 0600)."""
    from datetime import datetime, timezone

    path = log_path(settings_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": _publisher(), "kind": kind,
             "ok": ok, "release": release, "version": _version(path.parent.parent), "target": destination,
             "result": " ".join(str(result).split())[:300]}
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_log(settings_file: str | Path = "publishconf.py", limit: int = 10) -> list[dict[str, Any]]:
    """The last `limit` entries of the publish log, newest first."""
    path = log_path(settings_file)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines()[-limit:]:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short (a full disk): the others still count
    return entries[::-1]
