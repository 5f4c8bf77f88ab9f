"""`invoke publish --target s3` against s3rver, an S3 API emulator on 127.0.0.1 (npm). It
stands in for AWS, R2 or MinIO: the same REST API and boto3 calls, without any account."""

import re

import pytest

from tests.support.publishing import base_environment, copy_site, deploy_command, invoke_command, run
from tests.support.s3rver import s3_server

SUMMARY = re.compile(r"(\d+) sent, (\d+) unchanged, (\d+) removed, in [\d.]+ s\.")
STORED = re.compile(r'Stored object "([^"]+)"')
DELETED = re.compile(r'Deleted object "([^"]+)"')
FINGERPRINTED = re.compile(r"^theme/.+\.[0-9a-f]{12}\.[a-z0-9]+$")


@pytest.fixture
def store(tmp_path):
    with s3_server(tmp_path / "s3") as server:
        server.log = tmp_path / "s3" / "s3rver.log"
        yield server


@pytest.fixture
def deploy(tmp_path, store):
    settings, content = copy_site(tmp_path / "site")
    env = base_environment(**store.environment(tmp_path))
    return settings, content, env


def summary(result):
    match = SUMMARY.search(result.stdout)
    assert match, result.log
    return tuple(int(n) for n in match.groups())


def bucket(store):
    """{key: ETag} of every object."""
    objects = {}
    for page in store.client().get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
        objects.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
    return objects


def log_events(store, start=0):
    """(kind, key) of every object stored or deleted, in order, from line `start` of the log."""
    events = []
    for line in store.log.read_text().splitlines()[start:]:
        for kind, pattern in (("stored", STORED), ("deleted", DELETED)):
            match = pattern.search(line)
            if match:
                events.append((kind, match.group(1)))
    return events


def log_length(store):
    return len(store.log.read_text().splitlines())


def expected_type(key):
    if key == "theme/speculation-rules.json":  # its type is named in deploy/policy.yml
        return "application/speculationrules+json"
    suffix = key.rsplit(".", 1)[-1]
    return {"html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
            "js": "text/javascript; charset=utf-8", "txt": "text/plain; charset=utf-8",
            "xml": "application/xml; charset=utf-8", "png": "image/png", "svg": "image/svg+xml; charset=utf-8",
            "ico": "image/x-icon", "json": "application/json; charset=utf-8",
            "webmanifest": "application/manifest+json; charset=utf-8"}[suffix]


def test_publish_sets_types_and_caching_then_an_unchanged_site_uploads_nothing(tmp_path, deploy, store, checked_builds):
    settings, content, env = deploy
    # The site built and checked once for every publishing test (`publish --from`).
    first = run(invoke_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["base"]), env)
    assert first.returncode == 0, first.log
    sent, unchanged, removed = summary(first)
    assert sent > 20 and unchanged == 0 and removed == 0
    assert f"sent {sent} of {sent} files" in first.stdout

    site = checked_builds["base"] / "site"
    served = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                    if p.is_file() and p.suffix not in (".gz", ".br") and p.name not in ("_headers", "_redirects"))
    objects = bucket(store)
    assert sorted(objects) == served
    client = store.client()
    for key in served:
        head = client.head_object(Bucket=store.bucket, Key=key)
        assert head["ContentType"] == expected_type(key), key
        if FINGERPRINTED.match(key):
            assert head["CacheControl"] == "public, max-age=31536000, immutable", key
        else:
            assert head["CacheControl"] == "public, max-age=0, must-revalidate", key
        body = client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        assert body == (site / key).read_bytes(), key

    # Assets first, pages after them: no page is ever live before its stylesheet and script.
    order = [key for kind, key in log_events(store) if kind == "stored"]
    assert sorted(order) == served
    pages = [i for i, key in enumerate(order) if key.endswith(".html")]
    assets = [i for i, key in enumerate(order) if not key.endswith(".html")]
    assert max(assets) < min(pages), order

    mark = log_length(store)
    second = run(deploy_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["base"]), env)
    assert second.returncode == 0, second.log
    assert summary(second) == (0, len(served), 0), second.log
    assert log_events(store, mark) == []
    assert bucket(store) == objects


def test_changed_pages_go_after_assets_and_stale_objects_are_deleted_last(tmp_path, deploy, store, checked_builds):
    settings, content, env = deploy
    first = run(deploy_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["base"]), env)
    assert first.returncode == 0, first.log
    client = store.client()
    client.put_object(Bucket=store.bucket, Key="old-page/index.html", Body=b"<p>gone</p>")
    # The next version: the English home page changed, and a new image (tests/support/publishing).
    mark = log_length(store)
    second = run(deploy_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["beta"]), env)
    assert second.returncode == 0, second.log
    sent, unchanged, removed = summary(second)
    assert removed == 1 and unchanged > 20 and 2 <= sent <= 4, second.log
    events = log_events(store, mark)
    stored = [key for kind, key in events if kind == "stored"]
    assert "images/new.png" in stored and "en/index.html" in stored
    assert stored.index("images/new.png") < stored.index("en/index.html")
    assert events[-1] == ("deleted", "old-page/index.html"), events
    assert "old-page/index.html" not in bucket(store)
    page = client.get_object(Bucket=store.bucket, Key="en/index.html")["Body"].read().decode()
    assert "Release marker beta." in page


def test_dry_run_changes_nothing(tmp_path, deploy, store, checked_builds):
    settings, content, env = deploy
    first = run(deploy_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["base"]), env)
    assert first.returncode == 0, first.log
    store.client().put_object(Bucket=store.bucket, Key="old-page/index.html", Body=b"<p>gone</p>")
    before, mark = bucket(store), log_length(store)

    dry = run(invoke_command("publish", "--target", "s3", "--settings", settings, "--from", checked_builds["beta"],
                             "--dry-run"), env)
    assert dry.returncode == 0, dry.log
    assert "send   en/index.html" in dry.stdout and "remove old-page/index.html" in dry.stdout, dry.log
    assert "Dry run" in dry.stdout and not SUMMARY.search(dry.stdout)
    assert bucket(store) == before
    assert log_events(store, mark) == []
