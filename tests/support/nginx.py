"""A real nginx (Debian's nginx-light) on 127.0.0.1, serving a site with the configuration
`invoke publish` generates, included in a server block as on the real server."""

import contextlib
import os
import subprocess
import urllib.request
from pathlib import Path

from .processes import listening_socket, stop_process

NGINX = "/usr/sbin/nginx"


def _main_config(base, port, site_conf):
    temp = base / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    lines = [
        # As root, nginx's workers would run as nobody, who cannot read pytest's private tmp folders.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        f"pid {base / 'nginx.pid'};",
        f"error_log {base / 'error.log'} warn;",
        "events { worker_connections 64; }",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        f"    access_log {base / 'access.log'};",
        *[f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")],
        # Only the precompressed files may be gzip-encoded: no compressing on the fly.
        "    gzip off;",
        "    server {",
        f"        listen 127.0.0.1:{port};",
        "        server_name localhost;",
        f"        include {site_conf};",
        "    }",
        "}",
    ]
    config = base / "nginx.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


@contextlib.contextmanager
def nginx_server(base, site_conf, listener=None):
    """Run nginx with `site_conf` (the generated keter-health.conf); yields the base URL.
    `listener`: the socket it serves on (`listening_socket()`), when the caller needs the port
    before nginx starts; nginx cannot bind port 0 itself, so it is handed this socket."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    listener = listener or listening_socket()
    with listener:  # nginx holds it once started; the port is never free in between
        port = listener.getsockname()[1]
        config = _main_config(base, port, site_conf)
        command = [NGINX, "-p", str(base), "-c", str(config), "-g", "daemon off;"]
        check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected the configuration:\n{check.stderr}")
        log = open(base / "nginx.out", "w")
        # nginx takes over listening sockets named in NGINX (its own way of upgrading without
        # a gap), when they match a `listen` line; connections wait in the queue until it accepts.
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),),
                                   env={**os.environ, "NGINX": f"{listener.fileno()};"})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process, log)


def fetch(url):
    """The text of a page nginx serves (a bounded wait)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")
