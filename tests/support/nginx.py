"""A real nginx (Debian's nginx-light) on 127.0.0.1, serving a site with the configuration
`invoke publish` generates, included in a server block as on the real server."""

import contextlib
import os
import subprocess
from pathlib import Path

from .processes import free_port, stop_process, wait_for_port

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
def nginx_server(base, site_conf, port=None):
    """Run nginx with `site_conf` (the generated keter-health.conf); yields the base URL."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = _main_config(base, port, site_conf)
    command = [NGINX, "-p", str(base), "-c", str(config), "-g", "daemon off;"]
    check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected the configuration:\n{check.stderr}")
    log = open(base / "nginx.out", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, what="nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process, log)
