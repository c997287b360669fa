"""Real servers that tests start on spare loopback ports: a throwaway redis-server, and app servers (gunicorn,
production settings) on the test database, for what only several processes can show."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.workers import test_database_url

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


class RedisServer:
    """A throwaway redis-server on a spare port, which a test can stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/9"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, "redis-server", timeout=10)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def collect_static(root) -> None:
    """What the release step does before app servers start: production settings serve static files by the
    manifest that `collectstatic` writes (a page naming a file missing from it is a 500)."""
    env = {"PATH": os.environ["PATH"], "STATIC_ROOT": str(root), "SECRET_KEY": "collectstatic-only", "DEBUG": "0"}
    env["DATABASE_URL"] = "sqlite:///:memory:"
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


class AppServer:
    """gunicorn serving the site with production settings (DEBUG off) on the test database and `redis_url`, its
    static files from `static_root` (see collect_static)."""

    def __init__(self, redis_url: str, static_root, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "SECRET_KEY": "two-app-servers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(static_root),
            **env,
        }
        self.process = None

    def start(self):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "shortscience.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until it answers a page, not only listens: its worker has booted
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/about", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.log.seek(0)
        raise RuntimeError(f"gunicorn did not answer on {self.url}:\n{self.log.read().decode()[-3000:]}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
            self.log.close()
