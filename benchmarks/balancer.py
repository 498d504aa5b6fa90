"""The shipped nginx recipe (deploy/nginx/) in front of replicas on loopback: for tests/test_deploy.py and for
benchmarks/load.py --replicas. Only the addresses change: where nginx listens and where the replicas are."""

from __future__ import annotations

import contextlib
import pathlib
import shutil
import subprocess
import time
import urllib.request

DEPLOY = pathlib.Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED_REPLICAS = ("127.0.0.1:8501", "127.0.0.1:8502")
# nginx's main file around the shipped site file: everything it writes stays in one directory
MAIN = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/relu-viz.conf;
}}
"""


def configure(tmp: pathlib.Path, port: int, replicas: list[str]) -> list[str]:
    """Write the shipped files into `tmp`, listening on `port` and naming these replicas; the nginx command."""
    listing = (DEPLOY / "nginx" / "replicas.conf").read_text()
    shipped = "".join(f"server {address};\n" for address in SHIPPED_REPLICAS)
    if shipped not in listing:
        raise ValueError("deploy/nginx/replicas.conf no longer lists the two replicas this expects")
    (tmp / "replicas.conf").write_text(listing.replace(shipped, "".join(f"server {a};\n" for a in replicas)))
    site = (DEPLOY / "nginx" / "relu-viz.conf").read_text()
    for shipped_text, ours in (("listen 80;", f"listen 127.0.0.1:{port};"),
                               ("/etc/nginx/relu-viz/replicas.conf", str(tmp / "replicas.conf"))):
        if shipped_text not in site:
            raise ValueError(f"deploy/nginx/relu-viz.conf no longer holds {shipped_text!r}")
        site = site.replace(shipped_text, ours)
    (tmp / "relu-viz.conf").write_text(site)
    (tmp / "nginx.conf").write_text(MAIN.format(tmp=tmp))
    return [NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp), "-e", str(tmp / "error.log")]


@contextlib.contextmanager
def nginx_in_front(tmp: pathlib.Path, port: int, replicas: list[str]):
    """Run nginx (checked with -t first) until the block ends; yields its URL once it answers a health check."""
    command = configure(tmp, port, replicas)
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode:
        raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
    nginx = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start:\n" + (tmp / "error.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
