"""The tests' process helpers are the tooling's (keter_tools.processes)."""

from keter_tools.processes import (  # noqa: F401
    listening_socket, socket_activated, stop_process, wait_for_reported_port)
