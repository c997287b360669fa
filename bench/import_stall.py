"""Do unknown ids stall the site? Issue 9: four connections cycling unknown arXiv ids (2405.1xxxx) each held a
sync worker on arXiv for seconds, and /about took 8-12 s. This serves the site with gunicorn (3 sync workers) and
a fake, slow arXiv on loopback, sends four such connections for DURATION seconds while one more asks /about twice
a second, and prints /about's latency and the unknown ids' answers: once with the on-demand import inside the
request (TASKS_BACKEND=immediate, as before jobs) and once as a job (database backend, one `db_worker`).

    DATABASE_URL=postgres://root@127.0.0.1:5432/ss_bench .venv/bin/python bench/import_stall.py
    DURATION=20 ARXIV_DELAY=3 .venv/bin/python bench/import_stall.py    # the knobs, with their defaults

The database needs `migrate` (and some papers, e.g. `seed_demo`); its queued on-demand import jobs are deleted
before each run. The per-client import limit is lifted for the measurement (every connection is 127.0.0.1), the
queue limit (ON_DEMAND_QUEUE_LIMIT) is not: past it the answer is a quick 503. Only loopback is used, for a
bounded time, and everything started is stopped at the end.
"""

import collections
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DURATION = float(os.environ.get("DURATION", "20"))
ARXIV_DELAY = float(os.environ.get("ARXIV_DELAY", "3"))  # seconds arXiv takes to answer (2-6 s measured)
SITE_PORT, ARXIV_PORT = 8361, 8362
EMPTY_FEED = (BASE_DIR / "tests/fixtures/arxiv_api/empty_id_0000.0000.xml").read_bytes()


class SlowArxiv(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(ARXIV_DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(EMPTY_FEED)))
        self.end_headers()
        self.wfile.write(EMPTY_FEED)

    def log_message(self, *args):
        pass


def get(path: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{SITE_PORT}{path}", timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def measure(backend: str) -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "import-stall-bench-only-secret-key-0123456789abcdef"),
        "TASKS_BACKEND": backend,
        "ARXIV_API_URL": f"http://127.0.0.1:{ARXIV_PORT}/api/query",
        "ON_DEMAND_RATE_LIMIT": "1000000/60",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    forget_jobs = "from django_tasks_db.models import DBTaskResult as R; R.objects.filter(task_path=%r).delete()"
    shell = [sys.executable, "manage.py", "shell", "-c", forget_jobs % "papers.tasks.paper_import"]
    subprocess.run(shell, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{SITE_PORT}", "--timeout", "120"]
    processes = [subprocess.Popen([*gunicorn, "shortscience.wsgi"], cwd=BASE_DIR, env=env)]
    if backend == "database":
        worker = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", "--verbosity", "0"]
        processes.append(subprocess.Popen(worker, cwd=BASE_DIR, env=env))
    try:
        deadline = time.monotonic() + 30
        while get("/healthz")[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        ids = (f"2405.{n:05d}" for n in itertools.count(10000 + (0 if backend == "immediate" else 5000)))
        lock = threading.Lock()
        unknown, about = [], []
        stop = time.monotonic() + DURATION

        def cycle():
            while time.monotonic() < stop:
                with lock:
                    arxiv_id = next(ids)
                unknown.append(get(f"/paper?bibtexKey={arxiv_id}"))

        def reader():
            while time.monotonic() < stop:
                about.append(get("/about"))
                time.sleep(0.5)

        threads = [threading.Thread(target=cycle) for _ in range(4)] + [threading.Thread(target=reader)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)

    times = sorted(seconds for _, seconds in about)
    statuses = dict(sorted(collections.Counter(status for status, _ in unknown).items()))
    print(
        f"{backend:>9}: /about n={len(about)} p50 {statistics.median(times) * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms; unknown ids: {len(unknown)} answers {statuses} (status: count), "
        f"p50 {statistics.median(s for _, s in unknown) * 1000:.0f} ms"
    )


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a migrated Postgres database")
    arxiv = ThreadingHTTPServer(("127.0.0.1", ARXIV_PORT), SlowArxiv)
    threading.Thread(target=arxiv.serve_forever, daemon=True).start()
    print(f"fake arXiv answers in {ARXIV_DELAY:g} s; 4 connections cycle unknown ids for {DURATION:g} s")
    try:
        for backend in ("immediate", "database"):
            measure(backend)
    finally:
        arxiv.shutdown()


if __name__ == "__main__":
    main()
