"""The tests' process helpers are the tooling's (keter_site.tooling.processes)."""

from keter_site.tooling.processes import free_port, stop_process, wait_for_port  # noqa: F401
