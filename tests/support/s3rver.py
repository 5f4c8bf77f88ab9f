"""s3rver (npm): an S3 API emulator that keeps its objects in a folder, on 127.0.0.1.

It is an emulator, not AWS: it speaks the S3 REST API that boto3 uses (path-style addresses,
ETag = MD5, metadata, DeleteObjects), which is what the s3 target relies on.
"""

import contextlib
import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .sites import ROOT
from .processes import stop_process, wait_for_reported_port

S3RVER = ROOT / "node_modules" / ".bin" / "s3rver"
# s3rver's fixed development credentials; boto3 must sign with something.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str

    def environment(self, base):
        """Environment for boto3 that reaches only this server: dummy keys, no ~/.aws files."""
        return {**CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(Path(base) / "no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(Path(base) / "no-aws-credentials"),
                "DEPLOY_S3_BUCKET": self.bucket, "DEPLOY_S3_ENDPOINT_URL": self.endpoint_url,
                "DEPLOY_S3_REGION": "us-east-1"}

    def client(self):
        """A boto3 client for this server. Clients come from one boto3 session per test
        process: a new session reads botocore's service descriptions again (about 0.2 s of CPU)."""
        from botocore.config import Config

        return _session().client("s3", endpoint_url=self.endpoint_url, config=Config(s3={"addressing_style": "path"}))


@functools.cache
def _session():
    import boto3

    return boto3.session.Session(aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER", region_name="us-east-1")


@contextlib.contextmanager
def s3_server(base, bucket="keter-health-site"):
    base = Path(base)
    data = base / "data"
    data.mkdir(parents=True, exist_ok=True)
    log_path = base / "s3rver.log"
    log = open(log_path, "w")
    # Port 0: s3rver binds a port the kernel chooses, and prints it once its buckets are ready.
    process = subprocess.Popen([str(S3RVER), "--directory", str(data), "--address", "127.0.0.1",
                                "--port", "0", "--configure-bucket", bucket],
                               stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        port = wait_for_reported_port(log_path, r"S3rver listening on 127\.0\.0\.1:(\d+)", process, timeout=30,
                                      what="s3rver")
        yield S3Server(f"http://127.0.0.1:{port}", bucket)
    finally:
        stop_process(process, log)
