"""Publishing: build with publishconf.py, check, and deploy to a server (rsync over SSH, atomic releases) or to
S3-compatible object storage; docs/deploying.md is the user's guide."""
