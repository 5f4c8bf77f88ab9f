"""Production settings: everything in pelicanconf.py, plus the public address.

SITEURL comes from the environment variable of the same name when it is set.
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://www.keter-health.example").rstrip("/")
RELATIVE_URLS = False
# Production builds always read every file afresh.
LOAD_CONTENT_CACHE = False
# Nothing half-done goes live: stale translations (unless ALLOW_STALE_TRANSLATIONS=1) and
# "TODO:" placeholders left by `invoke new` stop the build.
TRANSLATIONS_STALE_IS_ERROR = True
FAIL_ON_PLACEHOLDERS = True
