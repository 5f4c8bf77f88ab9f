"""Production settings: everything in pelicanconf.py, plus the public address (SITEURL, from the environment
variable of the same name when it is set) and the launch checks."""

import os
import runpy
from pathlib import Path

# Every development setting first (read by path: the settings files are not a package).
_development = runpy.run_path(str(Path(__file__).with_name("pelicanconf.py")))
globals().update({key: value for key, value in _development.items() if key.isupper()})

# The default, on a name reserved for examples, serves previews only: a launch refuses it
# (keter_tools.deploy.checks.reserved_addresses), as it refuses SIGNUP_ENDPOINT on one.
SITEURL = os.environ.get("SITEURL", "https://www.keter-health.example").rstrip("/")
# Canonical, hreflang, Open Graph and sitemap addresses use the public address (keter_site.seo).
CANONICAL_BASE = SITEURL
RELATIVE_URLS = False
# A draft is never written into a publish build (the preview shows it under _drafts/).
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""
# Production builds always read every file afresh.
LOAD_CONTENT_CACHE = False
# Nothing half-done goes live: stale translations (unless ALLOW_STALE_TRANSLATIONS=1) and
# "TODO:" placeholders left by `invoke new` stop the build.
TRANSLATIONS_STALE_IS_ERROR = True
FAIL_ON_PLACEHOLDERS = True
# Launch readiness: every medical page signed by the physician (a key in the allowed signers:
# content/data/allowed_signers, or the file KETER_ALLOWED_SIGNERS names on the publishing
# machine) for its current text and not overdue, and no EXAMPLE or placeholder-looking value left
# in content/data/clinic.yml. `bin/invoke publish --staging`
# sets STAGING (from the environment variable of the same name): the build goes ahead, every
# page says it is a preview, and search engines are kept out.
LAUNCH_CHECKS = True
STAGING = os.environ.get("STAGING") == "1"
MEDICAL_REVIEW_BANNER = False
# The signup form posts to the clinic's form service, named by the environment variable
# SIGNUP_ENDPOINT (https://formspree.io/f/<form id>, say); never to the development receiver.
# Missing or not https stops the build (keter_site.signup_form).
SIGNUP_ENDPOINT = ""
SIGNUP_REQUIRE_HTTPS = True

# --- Publishing (`invoke publish`, docs/deploying.md) ------------------------------------
# Precompressed copies (.gz and .br) beside every text file, made afresh by pelican-precompress
# on every publish: nginx sends them as they are.
PLUGINS = [*_development["PLUGINS"], "pelican.plugins.precompress"]
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZSTANDARD = False
# Where `invoke publish` sends the site: "rsync" (a server over SSH) or "s3" (object storage);
# `--target` overrides it. Addresses come from the environment; credentials never live here
# (ssh-agent or SSH keys; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws).
DEPLOY_TARGET = "rsync"
DEPLOY_RSYNC = {
    "host": os.environ.get("DEPLOY_SSH_HOST", ""),
    "user": os.environ.get("DEPLOY_SSH_USER", ""),
    "port": os.environ.get("DEPLOY_SSH_PORT", ""),
    # releases/, current and nginx/ live here on the server.
    "path": os.environ.get("DEPLOY_PATH", "/srv/keter-health"),
    "keep": 5,
    "options": os.environ.get("DEPLOY_RSYNC_OPTIONS", ""),  # extra rsync options, e.g. --bwlimit=500
    "nginx_reload": os.environ.get("DEPLOY_NGINX_RELOAD", ""),  # e.g. "sudo systemctl reload nginx"
}
DEPLOY_S3 = {
    "bucket": os.environ.get("DEPLOY_S3_BUCKET", ""),
    "endpoint_url": os.environ.get("DEPLOY_S3_ENDPOINT_URL", ""),  # empty: AWS itself
    "region": os.environ.get("DEPLOY_S3_REGION", ""),
    "prefix": os.environ.get("DEPLOY_S3_PREFIX", ""),
}
