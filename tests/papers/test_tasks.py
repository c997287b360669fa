"""The papers app's jobs: the on-demand import (papers.tasks.paper_import, started by papers.on_demand) and the
harvest (papers.tasks.arxiv_harvest). Jobs run here in this process (tests.workers.run_jobs) or, for arXiv's rule
across processes, in two real worker processes against a local fake arXiv."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from papers import fetch, tasks
from papers.importers.records import Source
from papers.models import Paper
from tests import workers
from tests.commands import run_command
from tests.http_replay import arxiv_feed, arxiv_replay_client, replay_client
from tests.locks import held_elsewhere

ARXIV = "https://export.arxiv.org/api/query?id_list={}&max_results=1"
IMPORTED_ARXIV = "/paper?bibtexKey=journals/corr/2104.12255"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "harvest"]}}


@pytest.fixture(autouse=True)
def _forget_cache():
    cache.clear()  # failures, pending imports and rate counters are kept in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def arxiv(monkeypatch):
    """The on-demand arXiv client, replaying recorded entries (2104.12255 ...; other ids are not found)."""
    client = arxiv_replay_client()
    monkeypatch.setattr(fetch, "on_demand_client", lambda source: client)
    return client


@pytest.fixture
def database_tasks(settings):
    """Jobs go to Postgres and wait for a worker, as in production."""
    settings.TASKS = DATABASE_TASKS


def page(client, identifier):
    return client.get("/paper", {"bibtexKey": identifier})


# --- On-demand import as a job ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_id_answers_importing_at_once_and_the_paper_once_the_job_ran(client, arxiv, database_tasks):
    response = page(client, "2104.12255v1")

    html = response.content.decode()
    assert response.status_code == 202
    assert "<h1>Importing…</h1>" in html
    assert "<code>2104.12255v1</code> is not on ShortScience yet: we are fetching it from arXiv" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]
    assert arxiv.requested == []  # the request asked nobody
    job = DBTaskResult.objects.get()
    assert (job.task_path, job.args_kwargs["kwargs"]) == (
        "papers.tasks.paper_import",
        {"source": "arxiv", "source_id": "2104.12255"},
    )

    # Refreshing, another form of the id, the lookup box: still importing, and no second job.
    assert page(client, "2104.12255v1").status_code == 202
    assert page(client, "https://arxiv.org/abs/2104.12255").status_code == 202
    assert client.get(reverse("summaries:search"), {"q": "2104.12255"}).status_code == 202
    assert DBTaskResult.objects.count() == 1

    workers.run_jobs()

    assert arxiv.requested == [ARXIV.format("2104.12255")]
    response = page(client, "2104.12255v1")
    assert (response.status_code, response["Location"]) == (301, IMPORTED_ARXIV)  # known now, as any paper
    assert client.get(reverse("summaries:search"), {"q": "2104.12255"})["Location"] == IMPORTED_ARXIV
    assert Paper.objects.get().title == "0"


@pytest.mark.django_db
def test_a_failed_import_shows_its_failure_page_once_the_job_ran(client, arxiv, database_tasks):
    assert page(client, "2301.00001").status_code == 202

    workers.run_jobs()

    response = page(client, "2301.00001")
    assert response.status_code == 404
    assert "arXiv has no paper with the id 2301.00001" in response.content.decode()
    assert page(client, "2301.00001").status_code == 404
    assert len(arxiv.requested) == 1  # remembered: asked once


@pytest.mark.django_db
def test_without_a_shared_cache_the_page_reads_the_outcome_from_the_job(client, arxiv, database_tasks):
    """No REDIS_URL: the worker's cache is not the web process's, which only knows the job's id."""
    target = (Source.ARXIV, "2301.00001")
    assert page(client, "2301.00001").status_code == 202
    pending = fetch.pending_import(target)
    workers.run_jobs()
    cache.clear()  # what the worker remembered is in "its" cache, not ours
    fetch.pending_claim(target)
    fetch.pending_set(target, pending["task"])

    response = page(client, "2301.00001")

    assert response.status_code == 404
    assert "arXiv has no paper with the id 2301.00001" in response.content.decode()
    assert fetch.failure_remembered(target) is not None  # remembered here from now on
    assert fetch.pending_import(target) is None
    assert len(arxiv.requested) == 1


@pytest.mark.django_db
def test_a_job_that_crashed_gives_a_failure_page_not_an_endless_wait(client, arxiv, database_tasks, monkeypatch):
    def crash(source, source_id):
        raise RuntimeError("a bug")

    monkeypatch.setattr(fetch, "_on_demand_fetch", crash)
    assert page(client, "2104.12255").status_code == 202

    workers.run_jobs()

    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    response = page(client, "2104.12255")
    assert response.status_code == 502
    assert "the import failed unexpectedly" in response.content.decode()


@pytest.mark.django_db
def test_importing_page_says_when_it_takes_long_and_a_lost_job_is_enqueued_again(client, arxiv, database_tasks):
    target = (Source.ARXIV, "2104.12255")
    page(client, "2104.12255")
    pending = fetch.pending_import(target)
    cache.set(fetch._cache_key("pending", target), {**pending, "since": time.time() - 45}, fetch.PENDING_TTL)

    assert "This is taking longer than usual (45 seconds)" in page(client, "2104.12255").content.decode()

    DBTaskResult.objects.all().delete()  # pruned, or never committed
    assert page(client, "2104.12255").status_code == 202
    assert DBTaskResult.objects.count() == 1  # a new job


@pytest.mark.django_db
def test_immediate_backend_imports_within_the_request(client, arxiv):
    response = page(client, "2104.12255")
    assert (response.status_code, response["Location"]) == (302, IMPORTED_ARXIV)
    assert fetch.pending_import((Source.ARXIV, "2104.12255")) is None


# --- Rate limit per client -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_imports_is_rate_limited_per_client(client, arxiv, settings):
    settings.ON_DEMAND_RATE_LIMIT = "2/600"
    assert page(client, "2301.00001").status_code == 404  # imports started: 1
    assert page(client, "2301.00002").status_code == 404  # 2
    assert page(client, "2301.00001").status_code == 404  # remembered: nothing started

    response = page(client, "2301.00003")

    html = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "<h1>Too many imports</h1>" in html
    assert "<code>2301.00003</code> is not on ShortScience yet, and we did not start importing it" in html
    assert '<meta name="robots" content="noindex">' in html
    assert client.get(reverse("summaries:search"), {"q": "2301.00004"}).status_code == 429
    assert len(arxiv.requested) == 2


@pytest.mark.django_db
def test_rate_limit_counts_each_client_apart(client, arxiv, settings):
    settings.ON_DEMAND_RATE_LIMIT = "1/600"
    assert page(client, "2301.00001").status_code == 404
    assert page(client, "2301.00002").status_code == 429
    other = client.get("/paper", {"bibtexKey": "2301.00002"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 404
    Paper.objects.create(bibtex_key="journals/corr/2301.00005", arxiv_id="2301.00005", title="Known")
    assert page(client, "2301.00005").status_code == 301  # known papers open whatever the limit


@pytest.mark.django_db
def test_refreshing_an_importing_page_does_not_count(client, arxiv, settings, database_tasks):
    settings.ON_DEMAND_RATE_LIMIT = "1/600"
    for _ in range(5):
        assert page(client, "2104.12255").status_code == 202


@pytest.mark.django_db
def test_no_more_imports_are_taken_while_the_queue_is_full(client, arxiv, settings, database_tasks):
    settings.ON_DEMAND_QUEUE_LIMIT = 2
    assert page(client, "2301.00001").status_code == 202
    assert page(client, "2301.00002").status_code == 202

    response = page(client, "2301.00003")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "we did not start importing it: many imports are waiting already" in response.content.decode()
    assert page(client, "2301.00001").status_code == 202  # those waiting still wait
    assert DBTaskResult.objects.count() == 2

    workers.run_jobs()

    assert page(client, "2301.00003").status_code == 202


# --- The harvest as a job --------------------------------------------------------------------------------------


@pytest.fixture
def oai(monkeypatch):
    client = replay_client(default=(200, "oai_harvest/page2_last.xml"))
    monkeypatch.setattr("papers.harvest.oai_client", lambda: client)
    return client


@pytest.mark.django_db
def test_harvest_enqueue_hands_the_harvest_to_a_worker(oai, database_tasks):
    out, err, status = run_command("harvest_arxiv", "--enqueue", "--max-pages", "5")

    assert status == 0, err
    job = DBTaskResult.objects.get()
    assert f"Enqueued the arXiv harvest as job {job.id} (ready: a worker will run it)." in out
    assert (job.task_path, job.queue_name, job.args_kwargs["kwargs"]) == (
        "papers.tasks.arxiv_harvest",
        "harvest",
        {"max_pages": 5},
    )
    assert oai.requested == []

    workers.run_jobs()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value["pages"] == 1 and job.return_value["finished"]
    assert job.return_value["created"] == Paper.objects.count() > 0
    assert len(oai.requested) == 1


@pytest.mark.django_db
def test_harvest_enqueue_runs_it_at_once_with_the_immediate_backend(oai):
    out, err, status = run_command("harvest_arxiv", "--enqueue")
    assert status == 0, err
    assert "(successful: done)" in out
    assert Paper.objects.exists()


def test_harvest_enqueue_takes_no_harvest_options():
    out, err, status = run_command("harvest_arxiv", "--enqueue", "--restart")
    assert status == 1
    assert "--enqueue takes only --max-pages" in err


@pytest.mark.django_db(transaction=True)
def test_only_one_harvest_runs_at_a_time(oai):
    with held_elsewhere(tasks.HARVEST_LOCK):  # another worker's harvest
        assert tasks.arxiv_harvest.call() == {"skipped": "another harvest is running"}
        assert oai.requested == []
    assert tasks.arxiv_harvest.call()["pages"] == 1


# --- arXiv's rule across processes -----------------------------------------------------------------------------


class FakeArxiv(BaseHTTPRequestHandler):
    """arXiv's API on loopback: answers id_list queries from the recorded entries (tests.http_replay.arxiv_feed)
    after `delay` seconds, noting when each request started and ended. Threaded, so overlapping requests would
    overlap here too."""

    delay = 0.15
    log: list[tuple[float, float, str]]

    def do_GET(self):
        started = time.monotonic()
        time.sleep(self.delay)
        status, body = arxiv_feed("https://export.arxiv.org" + self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.log.append((started, time.monotonic(), self.path))

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_arxiv():
    FakeArxiv.log = []
    for port in range(8351, 8400):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), FakeArxiv)
            break
        except OSError:
            continue
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/query", FakeArxiv.log
    server.shutdown()
    server.server_close()


IDS = ["2104.12255", "astro-ph/0601001", "1111.2011", "2301.00001", "2301.00002", "2301.00003", "2301.00004"]
INTERVAL = 0.4


def import_in_two_workers(url, tmp_path, pacing):
    """Enqueue an import of each of IDS, run two `db_worker --batch` processes at once until the queue is empty."""
    for arxiv_id in IDS:
        tasks.paper_import.enqueue(source="arxiv", source_id=arxiv_id)
    env = workers.subprocess_env(ARXIV_API_URL=url, ARXIV_MIN_INTERVAL=str(INTERVAL), HTTP_PACING=pacing)
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    processes = [workers.worker("--batch", env=env, log=path) for path in logs]
    try:
        for process, path in zip(processes, logs, strict=True):
            assert process.wait(60) == 0, path.read_text()
    finally:
        for process in processes:
            workers.stop(process)
    jobs = DBTaskResult.objects.all()
    assert {job.status for job in jobs} == {TaskResultStatus.SUCCESSFUL}
    assert len({job.worker_ids[0] for job in jobs}) == 2  # both processes imported


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_importing_at_once_keep_arxivs_rule(fake_arxiv, database_tasks, tmp_path):
    """Two `db_worker` processes share the queue of on-demand imports; their requests to arXiv never overlap and
    start at least ARXIV_MIN_INTERVAL after the previous one ended (the database pacer), although each process
    would, on its own, ask as soon as it has a job."""
    url, log = fake_arxiv
    import_in_two_workers(url, tmp_path, "database")

    assert len(log) == len(IDS)
    spans = sorted(log)
    gaps = [later[0] - earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)]
    assert min(gaps) >= INTERVAL - 0.01, gaps  # no overlap, and the interval between
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2104.12255", "astro-ph/0601001", "1111.2011"}
    print(f"gaps between requests of two workers: min {min(gaps):.3f} s, max {max(gaps):.3f} s")


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_pacing_each_on_its_own_break_arxivs_rule(fake_arxiv, database_tasks, tmp_path):
    """The control: with HTTP_PACING=process (SQLite's) each process keeps the interval, the two together do not,
    so the test above would see a pacer that does not hold across processes."""
    url, log = fake_arxiv
    import_in_two_workers(url, tmp_path, "process")

    spans = sorted(log)
    gaps = [later[0] - earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)]
    assert min(gaps) < INTERVAL - 0.05, gaps
    print(f"gaps between requests of two workers pacing each on its own: min {min(gaps):.3f} s")
