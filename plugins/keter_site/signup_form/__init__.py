"""Signup form: the one address the form sends people's details to (SIGNUP_ENDPOINT; the environment variable
overrides it, so a deployment sets it without editing a file), and that address's origin for the security headers."""

from collections.abc import Mapping
from typing import Any
import os
from urllib.parse import urlsplit

from pelican import signals

from keter_site.core.build import report_all
from keter_site.core.problems import Problem
from keter_site.core.urls import public_https_problem

# SIGNUP_TIMEOUT_MS: how long the page's script waits for the endpoint before it tells the person the details were
# not sent.
DEFAULT_TIMEOUT_MS = 15000


def origin_of(endpoint: str) -> str:
    """`https://forms.example/f/1` -> `https://forms.example`; "" when it is not a web address."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port and port != default_port else "")


def resolve(settings: Mapping[str, Any]) -> tuple[str, str]:
    """(endpoint, origin) as a build with these settings uses them: the environment variable
    SIGNUP_ENDPOINT, when set and not empty, wins over the setting. Used by tasks.py too."""
    endpoint = (os.environ.get("SIGNUP_ENDPOINT") or settings.get("SIGNUP_ENDPOINT") or "").strip()
    return endpoint, origin_of(endpoint)


def problems(endpoint: str, require_https: bool) -> list[Problem]:
    """What is wrong with an endpoint that the form cannot, or must not, post to (the settings'
    problems: no file named)."""
    where = ("Set the environment variable SIGNUP_ENDPOINT to the form service's https address "
             "(for a Formspree form: https://formspree.io/f/<form id>) when you build with publishconf.py.")
    if not endpoint:
        if require_https:
            return [Problem("", "SIGNUP_ENDPOINT is not set: the signup form would have nowhere to send "
                            "people's details.", where)]
        return [Problem("", "SIGNUP_ENDPOINT is empty: the signup form would have nowhere to send people's details.",
                        "Set SIGNUP_ENDPOINT in pelicanconf.py (the local receiver: http://127.0.0.1:8001/signup).")]
    if not origin_of(endpoint):
        return [Problem("", f"SIGNUP_ENDPOINT '{endpoint}' is not a web address (http:// or https://).",
                        where if require_https else "Write the full address, such as http://127.0.0.1:8001/signup.")]
    if require_https and urlsplit(endpoint).scheme.lower() != "https":
        return [Problem("", f"SIGNUP_ENDPOINT '{endpoint}' is not https: people's details would travel unencrypted, "
                        "or to a machine that is not the clinic's form service.", where)]
    if require_https:
        problem = public_https_problem("SIGNUP_ENDPOINT", endpoint)
        if problem:
            return [Problem("", problem, where)]
    return []


def _on_init(pelican: Any) -> None:
    settings = pelican.settings
    endpoint, origin = resolve(settings)
    # In every template's context: the form posts to the endpoint; the security headers allow exactly its origin
    # in form-action and connect-src.
    settings["SIGNUP_ENDPOINT"] = endpoint
    settings["SIGNUP_ORIGIN"] = origin
    settings.setdefault("SIGNUP_TIMEOUT_MS", DEFAULT_TIMEOUT_MS)
    _report(settings)


def _report(settings: Mapping[str, Any]) -> None:
    require_https = bool(settings.get("SIGNUP_REQUIRE_HTTPS"))
    settings_file = "publishconf.py" if require_https else "pelicanconf.py"
    found = problems(settings["SIGNUP_ENDPOINT"], require_https)
    timeout = settings.get("SIGNUP_TIMEOUT_MS")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        found.append(Problem("", f"SIGNUP_TIMEOUT_MS is {timeout!r}, not a number of milliseconds.",
                             f"Remove it (the default is {DEFAULT_TIMEOUT_MS}) or write a whole number such as 15000."))
    report_all(problem.at(settings_file) for problem in found)


def register() -> None:
    """Resolve the endpoint when a build starts, and report what is wrong with it."""
    signals.initialized.connect(_on_init)
