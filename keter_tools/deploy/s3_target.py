"""Publish to S3-compatible object storage (AWS S3, Cloudflare R2, MinIO, ...) behind a CDN: only what changed is
uploaded, in an order that keeps every moment of the publish consistent for visitors, deletions last.
"""

import base64
import hashlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from keter_site.core import fingerprints

from .common import DeployError, Plan, Progress, Summary
from .headers import cache_control, content_type, load_policy, site_files

THREADS = 16
# Not uploaded: object stores do not negotiate encodings, the CDN compresses instead.
PRECOMPRESSED = (".gz", ".br")


@dataclass
class LocalFile:
    """One file of the site as the bucket will hold it: its key, its hashes and its headers."""

    relative: str
    key: str
    md5: str
    sha256: str
    content_type: str
    cache_control: str


def _local_files(site: str | Path, prefix: str) -> list[LocalFile]:
    site = Path(site)
    policy = load_policy()
    everything = set(site_files(site))
    files = []
    for relative in sorted(everything):
        if relative.endswith(PRECOMPRESSED) and relative[:-3] in everything:
            continue
        data = (site / relative).read_bytes()
        files.append(LocalFile(relative, prefix + relative, hashlib.md5(data).hexdigest(),
                               fingerprints.of_bytes(data), content_type(relative, policy),
                               cache_control(relative, policy)))
    return files


def _wave(item: LocalFile, existing: Mapping[str, str]) -> int:
    """0 assets, 1 new pages, 2 changed pages: a page never goes live before what it uses, nor
    before the pages it links to."""
    # A changed stylesheet or script has a new fingerprinted name, so the pages still live are not affected.
    if not item.relative.endswith(".html"):
        return 0
    return 2 if item.key in existing else 1


class S3Target:
    """An S3-compatible bucket, updated in waves so no page goes live before what it uses."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.bucket = config.get("bucket") or ""
        if not self.bucket:
            raise DeployError("No bucket to publish to: set DEPLOY_S3_BUCKET (and DEPLOY_S3_ENDPOINT_URL "
                              "for a store other than AWS) in the environment, or DEPLOY_S3 in publishconf.py.")
        self.endpoint_url = config.get("endpoint_url") or None
        self.region = config.get("region") or None
        prefix = (config.get("prefix") or "").strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        # Credentials come from boto3's usual places only: AWS_* variables, AWS_PROFILE and ~/.aws/config, the role.
        import boto3
        from botocore.config import Config

        addressing = config.get("addressing_style") or ("path" if self.endpoint_url else "auto")
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region,
            config=Config(
                # Many S3-compatible stores reject the newer default integrity headers.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": addressing},
                retries={"mode": "standard", "max_attempts": 5},
                max_pool_connections=THREADS))

    @property
    def destination(self) -> str:
        """Where this target publishes, as the plan, the summary and the publish log name it."""
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def _call(self, what: str, function: Callable[..., Any], **arguments: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return function(**arguments)
        except ClientError as error:
            raise DeployError(f"Could not {what} in {self.destination}: {error}") from error
        except BotoCoreError as error:  # no credentials, endpoint unreachable, ...
            raise DeployError(f"Could not {what} in {self.destination}: {error}. Credentials come "
                              "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws.") from error

    def _remote_objects(self) -> dict[str, str]:
        """{key: ETag} of everything under the prefix."""
        objects = {}
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call("list the objects", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)))
        for page in pages:
            for item in page.get("Contents", []):
                objects[item["Key"]] = item.get("ETag", "").strip('"')
        return objects

    def _unchanged(self, item: LocalFile, etag: str) -> bool:
        """Same content (the ETag of a single-part upload is the MD5; otherwise the sha256 we
        store as metadata) and the same headers."""
        if len(etag) == 32 and etag != item.md5:
            return False
        head = self._call(f"read {item.key}", self.client.head_object, Bucket=self.bucket, Key=item.key)
        same_content = etag == item.md5 or head.get("Metadata", {}).get("sha256") == item.sha256
        return (same_content and head.get("ContentType") == item.content_type
                and head.get("CacheControl") == item.cache_control)

    def plan(self, site: str | Path) -> tuple[list[LocalFile], dict[str, str], Plan]:
        """(what to upload in wave order, the bucket's {key: ETag}, the plan): only what changed is sent."""
        files = _local_files(site, self.prefix)
        existing = self._remote_objects()
        with ThreadPoolExecutor(THREADS) as pool:
            unchanged = list(pool.map(
                lambda item: item.key in existing and self._unchanged(item, existing[item.key]), files))
        send = sorted((item for item, same in zip(files, unchanged) if not same),
                      key=lambda item: (_wave(item, existing), item.relative))
        keep = {item.key for item in files}
        plan = Plan(send=[item.relative for item in send],
                    unchanged=[item.relative for item, same in zip(files, unchanged) if same],
                    remove=sorted(key for key in existing if key not in keep))
        return send, existing, plan

    def _upload(self, site: str | Path, item: LocalFile, progress: Progress) -> None:
        data = (Path(site) / item.relative).read_bytes()
        self._call(f"upload {item.key}", self.client.put_object, Bucket=self.bucket, Key=item.key, Body=data,
                   ContentType=item.content_type, CacheControl=item.cache_control,
                   ContentMD5=base64.b64encode(bytes.fromhex(item.md5)).decode(),
                   Metadata={"sha256": item.sha256})
        progress.advance()

    def publish(self, site: Path, nginx_conf: str, dry_run: bool = False) -> Summary | None:
        """Upload what changed, wave by wave, then delete what the site no longer has (None for a dry run); a bucket
        serves no nginx configuration."""
        self._call("find the bucket", self.client.head_bucket, Bucket=self.bucket)
        send, existing, plan = self.plan(site)
        print(plan.describe(self.destination))
        if dry_run:
            print("Dry run: nothing was uploaded and nothing in the bucket changed.")
            return None
        progress = Progress(len(send))
        # Each wave is finished before the next starts: assets, new pages, changed pages.
        with ThreadPoolExecutor(THREADS) as pool:
            for wave in (0, 1, 2):
                batch = [item for item in send if _wave(item, existing) == wave]
                list(pool.map(lambda item: self._upload(site, item, progress), batch))
        for start in range(0, len(plan.remove), 1000):
            keys = plan.remove[start:start + 1000]
            result = self._call("delete old objects", self.client.delete_objects, Bucket=self.bucket,
                                Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True})
            if result.get("Errors"):
                raise DeployError(f"Could not delete {len(result['Errors'])} old objects: {result['Errors'][:3]}")
        if plan.remove:
            print(f"Deleted {len(plan.remove)} objects no longer in the site.")
        return Summary(len(plan.send), len(plan.unchanged), len(plan.remove), self.destination)

    def releases(self) -> NoReturn:
        """Refused: a bucket holds one version of the site."""
        raise DeployError("The s3 target keeps no releases: a publish replaces the bucket's files.")

    def rollback(self, to: str | None = None) -> NoReturn:
        """Refused: there is no earlier release in the bucket to switch back to."""
        raise DeployError("The s3 target keeps no releases to roll back to: publish the earlier "
                          "version of the site again (or turn on the bucket's object versioning).")
