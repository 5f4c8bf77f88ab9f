"""The preview server: serves the last good build, each language's 404, and a banner while the
latest build has failed."""

import urllib.error
import urllib.request

from tests.support.processes import free_port
from tests.support.sites import ROOT
from keter_site.tooling import devserver
from keter_site.tooling.build import BuildResult


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_banner_only_while_the_last_build_failed(tmp_path, site):
    state = devserver.BuildState()
    port = free_port()
    server = devserver.start(site.output, "127.0.0.1", port, state)
    try:
        base = f"http://127.0.0.1:{port}"
        status, body = _get(base + "/en/")
        assert status == 200 and 'role="alert"' not in body
        state.record(BuildResult(False, site.output, 0.1, message="content/en/x.md: unknown language 'xx'."))
        status, body = _get(base + "/en/")
        assert status == 200 and "The last build failed" in body and "content/en/x.md: unknown language" in body
        state.record(BuildResult(True, site.output, 0.1))
        assert 'role="alert"' not in _get(base + "/en/")[1]
        status, _ = _get(base + "/en/no-such-page/")
        assert status == 404
        assert _get(base + "/../../etc/passwd")[0] == 404
    finally:
        server.shutdown()
