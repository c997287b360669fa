"""The client side of bench/cluster.sh: browsers that log in, write and read through nginx while one app server
is killed, then the database's count of what they were told was saved.

    cluster_drive.py setup --users 8              # the users (idempotent), no summaries of earlier runs
    cluster_drive.py run --proxy http://127.0.0.1:8501 --app-a http://127.0.0.1:8511 --app-b http://127.0.0.1:8512 \
        --state DIR [--threads 8 --duration 30]

`run` logs every writer in through nginx (allauth's log-in form, with its CSRF token), checks that each session
works on both app servers directly, that a page cached through A is a hit through B (and that a write through B
invalidates it for A), and that wrong-password log-ins alternated across A and B reach allauth's limit (the limit
lives in the shared cache). Then the writers save summaries, vote on others' summaries and comment, as fast as the
servers answer, while readers (anonymous and logged in) load pages; cluster.sh kills app server A during this
phase (it writes DIR/writing-started when it begins; cluster.sh writes DIR/a-killed and DIR/a-restarted with the
times). A write counts as acknowledged only when the server gave its success answer: the redirect to the summary
(summaries), the redirect to the thread (comments), a JSON score (votes). At the end every acknowledged write is
looked up in Postgres. Exit status 1 when one is missing or a check failed.
"""

import argparse
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")

import django  # noqa: E402

django.setup()

from cluster_browser import CSRF_RE, FAILURES, Browser, Reply  # noqa: E402  (bench/, first on sys.path)
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402

from papers.models import Paper  # noqa: E402
from shortscience import db_router  # noqa: E402
from summaries.models import Comment, Summary, Vote  # noqa: E402
from summaries.services import summary_delete  # noqa: E402

PASSWORD = "cluster-password-123"
USER_PREFIX = "cluster-user-"
READER = "cluster-reader"
LIMITED = "cluster-limited"  # the rate-limit check's account
COMMENTS_FORM_RE = re.compile(r'action="/summary/(\d+)/comments"')
WRONG_PASSWORD = "The username and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts"
SUMMARY_TEXT = "Written by bench/cluster_drive.py while an app server was killed: $e^{i\\pi}+1=0$."
ANONYMOUS_PAGES = ["/", "/?tab=best", "/?tab=popular", "/users", "/about", "/venue"]


# --- setup ----------------------------------------------------------------------------------------------------


def setup(users: int) -> None:
    User = get_user_model()
    names = [f"{USER_PREFIX}{i}" for i in range(users)] + [READER, LIMITED]
    made = 0
    for name in names:
        user, created = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.org"})
        if created:
            user.set_password(PASSWORD)
            user.save()
            made += 1
    print(f"users: {made} created, {len(names) - made} already there ({USER_PREFIX}0..{users - 1}, {READER})")
    # One summary per user and paper: a new run needs papers its writers have not summarised yet.
    earlier = Summary.objects.filter(author__username__startswith=USER_PREFIX).select_related("paper", "author")
    for summary in earlier:
        summary_delete(summary=summary, user=summary.author)
    if earlier:
        print(f"summaries of earlier runs deleted: {len(earlier)}")


# --- the run ----------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw. `acked[kind]` holds the identity of every acknowledged write, `attempted[kind]` of
    every write sent; `refused`: an HTTP answer other than success; `failed`: no answer (connection error)."""

    acked: dict = field(default_factory=lambda: {"summary": [], "vote": [], "comment": []})
    attempted: dict = field(default_factory=lambda: {"summary": [], "vote": [], "comment": []})
    refused: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    reads: Counter = field(default_factory=Counter)  # (who, "ok" | "error")
    read_own_write: Counter = field(default_factory=Counter)  # the page after a saved summary: seen | missing | failed
    upstreams: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)  # (time, what, status or exception)
    crashed: list = field(default_factory=list)  # the exceptions that ended a client thread
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, counter: Counter, key) -> None:
        with self.lock:
            counter[key] += 1

    def error(self, what: str, detail: str) -> None:
        with self.lock:
            self.errors.append((time.time(), what, detail))

    def served(self, reply: Reply) -> None:
        with self.lock:
            self.upstreams[reply.upstream or "?"] += 1


class Run:
    def __init__(self, args):
        self.args = args
        self.state = Path(args.state)
        self.run_id = uuid.uuid4().hex[:8]
        self.tally = Tally()
        self.pool_lock = threading.Lock()
        self.checks: list[tuple[str, bool, str]] = []
        User = get_user_model()
        self.users = list(User.objects.filter(username__startswith=USER_PREFIX).order_by("pk")[: args.threads])
        listed = Summary.objects.filter(is_listed=True).select_related("paper")
        self.pool = [(s.pk, s.author_id, s.paper.get_absolute_url()) for s in listed]  # what writers vote on
        self.names = {urlsplit(args.app_a).netloc: "A", urlsplit(args.app_b).netloc: "B"}

    def replica_queries(self) -> int | None:
        """Transactions the replica has answered (each autocommit query is one), or None without a replica."""
        if not db_router.replica_configured():
            return None
        time.sleep(1.2)  # Postgres publishes a backend's counts within a second
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    def check_replica(self, before: int | None) -> None:
        if before is None:
            return
        served = self.replica_queries() - before - 1
        self.check("replica serves reads", served > 0, f"{served} transactions answered by the replica during the run")
        marker = f"cluster {self.run_id} "
        for _ in range(50):
            primary = Comment.objects.filter(body__startswith=marker).count()
            replica = Comment.objects.using(db_router.REPLICA).filter(body__startswith=marker).count()
            if primary == replica:
                break
            time.sleep(0.1)
        self.check(
            "replica caught up", primary == replica, f"this run's comments: {primary} on primary, {replica} on replica"
        )

    def check(self, name: str, ok: bool | None, detail: str) -> None:
        """Record and print a check; `ok` None: inconclusive (shown, not counted as failed)."""
        self.checks.append((name, ok, detail))
        print(f"  {_verdict(ok)} {name}: {detail}", flush=True)

    # --- before the writes: sessions, page cache, rate limits -----------------------------------------------

    def log_in_all(self) -> list[Browser]:
        browsers = []
        for user in [*self.users, get_user_model().objects.get(username=READER)]:
            browser = Browser(self.args.proxy)
            reply = browser.log_in(user.username, PASSWORD)
            if reply.status != 302 or not browser.cookie("sessionid"):
                raise SystemExit(f"log-in of {user.username} through nginx failed: {reply.status} {reply.body[:300]}")
            browsers.append(browser)
        print(f"  {len(browsers)} users logged in through nginx (allauth's form, CSRF token, session cookie)")
        return browsers

    def check_sessions(self, browsers: list[Browser], label: str) -> None:
        for name, base in (("A", self.args.app_a), ("B", self.args.app_b)):
            good = 0
            for browser, user in zip(browsers, [*self.users, None], strict=False):
                reply = browser.at(base).get("/settings")
                username = user.username if user else READER
                good += reply.status == 200 and f'class="nav-user">{username}<' in reply.body
            self.check(
                f"sessions valid on {name} {label}",
                good == len(browsers),
                f"{good}/{len(browsers)} sessions got /settings (200, their name in the header) from {name} directly",
            )

    def check_page_cache(self) -> None:
        probe = f"/?tab=recent&probe={self.run_id}"
        anonymous_a, anonymous_b = Browser(self.args.app_a), Browser(self.args.app_b)
        first, second = anonymous_a.get(probe).page_cache, anonymous_b.get(probe).page_cache
        self.check(
            "page cache shared", (first, second) == ("miss", "hit"), f"{probe} via A: {first}, then via B: {second}"
        )
        writer = Browser(self.args.app_b)
        writer.log_in(READER, PASSWORD)
        summary_id, _, _ = self.pool[0]
        body = f"cluster {self.run_id} comment probe"
        posted = writer.post(f"/summary/{summary_id}/comments", {"body": body})
        self.tally.attempted["comment"].append(body)
        if posted.status == 302 and posted.location.endswith("-comments"):
            self.tally.acked["comment"].append(body)
        after_a, after_b = anonymous_a.get(probe).page_cache, anonymous_b.get(probe).page_cache
        self.check(
            "page cache invalidated everywhere",
            (after_a, after_b) == ("miss", "hit"),
            f"after a comment posted through B: via A {after_a}, then via B {after_b}",
        )

    def check_rate_limit(self) -> None:
        browser = Browser(self.args.app_a)
        seen = []
        for attempt in range(1, 7):
            server = "A" if attempt % 2 else "B"
            reply = browser.at(self.args.app_a if server == "A" else self.args.app_b).log_in(LIMITED, "wrong")
            seen.append(f"{server}:{_login_answer(reply)}")
        right = browser.at(self.args.app_a).log_in(LIMITED, PASSWORD)
        seen.append(f"A(right password):{_login_answer(right)}")
        expected = ["A:wrong", "B:wrong", "A:wrong", "B:wrong", "A:wrong", "B:limited", "A(right password):limited"]
        self.check(
            "login rate limit shared",
            seen == expected,
            "5 failures allowed per client and account per 5 min; alternating A, B: " + " ".join(seen),
        )

    def check_client_ip(self) -> None:
        """Behind nginx every request comes from nginx's address: allauth must read the client's from
        X-Forwarded-For (TRUSTED_PROXY_COUNT=1), or its per-IP limits (LOGIN_FAILED_PER_CLIENT, 30 failed log-ins
        in 10 minutes, and 30 log-ins a minute) are one limit for the whole site. Client 127.0.0.2 uses up its
        limit; client 127.0.0.3 must still be let try."""
        one, other = Browser(self.args.proxy, source="127.0.0.2"), Browser(self.args.proxy, source="127.0.0.3")
        token = CSRF_RE.search(one.get("/accounts/login/").body).group(1)
        answers, began = [], time.time()
        for i in range(31):  # distinct accounts: only the per-IP limits can refuse
            fields = {"login": f"nobody-{self.run_id}-{i}", "password": "wrong", "csrfmiddlewaretoken": token}
            answers.append(_login_answer(one.post("/accounts/login/", fields)))
        took = time.time() - began
        other_answer = _login_answer(other.log_in(f"nobody-{self.run_id}-x", "wrong"))
        ok = answers == ["wrong"] * 30 + ["limited"] and other_answer == "wrong"
        detail = f"127.0.0.2: 30 wrong then {answers[-1]} ({took:.0f} s); then 127.0.0.3: {other_answer}"
        if not ok and took >= 55:  # the log-ins' window is one minute, sliding: a slow machine cannot fill it
            ok, detail = None, detail + ": inconclusive, the attempts took most of the one-minute window"
        self.check("per-IP limit keyed on the client behind nginx", ok, detail)

    # --- the writes and reads --------------------------------------------------------------------------------

    def writer(self, index: int, browser: Browser, user, papers: list, deadline: float) -> None:
        rng = random.Random(index)
        voted: set[int] = set()
        n = 0
        while time.time() < deadline:
            n += 1
            if papers:
                paper = papers.pop()
                body = f"cluster {self.run_id} summary {index}-{n}\n\n{SUMMARY_TEXT}"
                self.write(
                    "summary",
                    (user.pk, paper.pk, body.split("\n")[0]),
                    browser,
                    f"/summary/save/{paper.pk}",
                    {"body": body, "base_version": "0"},
                    lambda r: r.status == 302 and r.location.startswith("/paper?bibtexKey="),
                    then=self.learn_summary(browser, user),
                )
            with self.pool_lock:
                choices = [s for s in self.pool if s[1] != user.pk and s[0] not in voted]
            if choices:
                summary_id, _, _ = rng.choice(choices)
                voted.add(summary_id)
                value = rng.choice([1, -1])
                self.write(
                    "vote",
                    (user.pk, summary_id, value),
                    browser,
                    f"/summary/{summary_id}/vote",
                    {"value": str(value)},
                    lambda r: r.status == 200 and '"score"' in r.body,
                    headers={"X-Requested-With": "fetch"},
                )
            with self.pool_lock:
                summary_id, _, _ = rng.choice(self.pool)
            body = f"cluster {self.run_id} comment {index}-{n}"
            self.write(
                "comment",
                body,
                browser,
                f"/summary/{summary_id}/comments",
                {"body": body},
                lambda r: r.status == 302 and r.location.endswith("-comments"),
            )

    def learn_summary(self, browser: Browser, user):
        """After a summary is saved the browser follows the redirect (as a person would) and must see it: the
        page's comment form names its id, which goes into the pool the others vote on."""

        def follow(reply: Reply) -> None:
            url = reply.location.split("#")[0]
            try:
                page = browser.get(url)
            except FAILURES as exc:
                self.tally.count(self.tally.read_own_write, "failed")
                self.tally.error("read after write", repr(exc))
                return
            self.tally.served(page)
            found = COMMENTS_FORM_RE.search(page.body)
            self.tally.count(
                self.tally.read_own_write, "failed" if page.status != 200 else "seen" if found else "missing"
            )
            if page.status != 200 or not found:
                self.tally.error("read after write", f"{page.status}, summary not on the page")
                return
            with self.pool_lock:
                self.pool.append((int(found.group(1)), user.pk, url))

        return follow

    def write(self, kind, identity, browser, path, fields, acknowledged, headers=None, then=None) -> None:
        with self.tally.lock:
            self.tally.attempted[kind].append(identity)
        try:
            reply = browser.post(path, fields, headers)
        except FAILURES as exc:
            with self.tally.lock:
                self.tally.failed[kind] += 1
            self.tally.error(kind, repr(exc))
            return
        self.tally.served(reply)
        if acknowledged(reply):
            with self.tally.lock:
                self.tally.acked[kind].append(identity)
            if then:
                then(reply)
        else:
            with self.tally.lock:
                self.tally.refused[kind] += 1
            self.tally.error(kind, f"HTTP {reply.status} {reply.location}")

    def reader(self, who: str, browser: Browser, deadline: float) -> None:
        rng = random.Random(who)
        while time.time() < deadline:
            with self.pool_lock:
                paper_page = rng.choice(self.pool)[2]
            path = rng.choice([*ANONYMOUS_PAGES, paper_page])
            try:
                reply = browser.get(path)
            except FAILURES as exc:
                self.tally.count(self.tally.reads, (who, "error"))
                self.tally.error(f"read ({who})", repr(exc))
                continue
            self.tally.served(reply)
            ok = reply.status < 400 and (who == "anonymous" or f'class="nav-user">{READER}<' in reply.body)
            self.tally.count(self.tally.reads, (who, "ok" if ok else "error"))
            if not ok:
                self.tally.error(f"read ({who})", f"HTTP {reply.status} {path}")

    def client(self, work, args) -> None:
        """Run one writer or reader; a crash is reported (the run's figures would be short of it), not hidden."""
        try:
            work(*args)
        except Exception as exc:
            with self.tally.lock:
                self.tally.crashed.append(repr(exc))
            raise

    def drive(self, browsers: list[Browser]) -> float:
        taken = set(Summary.objects.filter(author__in=self.users).values_list("author_id", "paper_id"))
        papers = list(Paper.objects.order_by("pk"))
        per_user = {
            user.pk: [p for p in papers[i :: len(self.users)] if (user.pk, p.pk) not in taken]
            for i, user in enumerate(self.users)
        }
        started = time.time()
        deadline = started + self.args.duration
        (self.state / "writing-started").write_text(f"{started}\n")
        jobs = [(self.writer, (i, browsers[i], user, per_user[user.pk], deadline)) for i, user in enumerate(self.users)]
        jobs += [(self.reader, ("anonymous", Browser(self.args.proxy), deadline))]
        jobs += [(self.reader, ("logged-in", browsers[-1], deadline))]
        threads = [threading.Thread(target=self.client, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        crashed = self.tally.crashed
        self.check(
            "clients ran to the end", not crashed, f"{len(threads) - len(crashed)} of {len(threads)} ({crashed})"
        )
        return started

    # --- the count --------------------------------------------------------------------------------------------

    def stored(self, started: float):
        """What Postgres holds of this run, as the same identities as the tally's."""
        since = datetime.fromtimestamp(started - 1, UTC)
        summaries = {
            (a, p, body.split("\n")[0])
            for a, p, body in Summary.objects.filter(body__startswith=f"cluster {self.run_id} ").values_list(
                "author_id", "paper_id", "body"
            )
        }
        attempted_votes = self.tally.attempted["vote"]
        voters = {v for v, _, _ in attempted_votes}
        votes = set(
            Vote.objects.filter(voter_id__in=voters, updated_at__gte=since).values_list(
                "voter_id", "summary_id", "value"
            )
        )
        comments = set(
            Comment.objects.filter(body__startswith=f"cluster {self.run_id} ").values_list("body", flat=True)
        )
        return {"summary": summaries, "vote": votes, "comment": comments}

    def report(self, started: float) -> int:
        stored = self.stored(started)
        tally = self.tally
        killed = _read_time(self.state / "a-killed")
        back = _read_time(self.state / "a-restarted")
        print()
        when = f"A stopped at +{killed - started:.1f} s" if killed else "A not stopped"
        when += f", back at +{back - started:.1f} s" if back else ""
        print(f"writes through nginx: {len(self.users)} writers, {self.args.duration:g} s ({when}); run {self.run_id}")
        columns = ("attempted", "acked", "refused", "no-answer", "stored", "LOST", "stored-unacked")
        print(f"{'kind':<9} " + " ".join(f"{c:>{max(len(c), 5)}}" for c in columns))
        lost_total = 0
        for kind in ("summary", "vote", "comment"):
            acked, attempted = set(tally.acked[kind]), set(tally.attempted[kind])
            lost = acked - stored[kind]
            in_run = attempted & stored[kind]
            lost_total += len(lost)
            figures = (len(attempted), len(acked), tally.refused[kind], tally.failed[kind], len(in_run), len(lost))
            figures += (len(in_run - acked),)
            print(f"{kind:<9} " + " ".join(f"{n:>{max(len(c), 5)}}" for n, c in zip(figures, columns, strict=True)))
            for item in sorted(lost, key=str)[:5]:
                print(f"  lost {kind}: {item}")
        print()
        print(f"{'reads':<9} {'requests':>9} {'ok':>7} {'errors':>8}")
        for who in ("anonymous", "logged-in"):
            ok, bad = tally.reads[(who, "ok")], tally.reads[(who, "error")]
            print(f"{who:<9} {ok + bad:>9} {ok:>7} {bad:>8}")
        print()
        served = Counter()
        for upstream, n in tally.upstreams.items():
            hops = [self.names.get(u.strip(), u.strip()) for u in upstream.split(",")]
            served[" then ".join(hops)] += n
        print("answered by: " + ", ".join(f"{k} {v}" for k, v in served.most_common()))
        print(f"errors seen by clients: {len(tally.errors)}")
        for at, what, detail in tally.errors[:20]:
            print(f"  +{at - started:6.2f} s  {what}: {detail}")
        seen, missing, failed = (tally.read_own_write[k] for k in ("seen", "missing", "failed"))
        detail = f"the page a writer is sent to after saving: {seen} showed the summary, {missing} did not"
        self.checks.append(("read your own writes", missing == 0, detail + f" ({failed} not loaded)"))
        print()
        print("checks:")
        failed = [name for name, ok, _ in self.checks if ok is False]
        for name, ok, detail in self.checks:
            print(f"  {_verdict(ok)} {name}: {detail}")
        acked_total = sum(len(set(v)) for v in tally.acked.values())
        print()
        if lost_total:
            print(f"RESULT: {lost_total} of {acked_total} acknowledged writes LOST")
        else:
            print(f"RESULT: zero lost writes: all {acked_total} acknowledged writes are in Postgres")
        if failed:
            print(f"RESULT: failed checks: {', '.join(failed)}")
        return 1 if lost_total or failed else 0


def _verdict(ok: bool | None) -> str:
    return "----" if ok is None else "ok  " if ok else "FAIL"


def _login_answer(reply: Reply) -> str:
    if TOO_MANY in reply.body or reply.status == 429:  # failed log-ins, or allauth's 30 log-ins a minute
        return "limited"
    if WRONG_PASSWORD in reply.body:
        return "wrong"
    return f"HTTP {reply.status}"


def _read_time(path: Path) -> float | None:
    return float(path.read_text()) if path.exists() else None


def run(args) -> int:
    drive = Run(args)
    print("before the writes (both app servers up):", flush=True)
    browsers = drive.log_in_all()
    drive.check_sessions(browsers, "after log-in through nginx")
    drive.check_page_cache()
    drive.check_rate_limit()
    drive.check_client_ip()
    print(f"writing for {args.duration:g} s through nginx ...", flush=True)
    replica_before = drive.replica_queries()
    started = drive.drive(browsers)
    back = drive.state / "a-restarted"
    for _ in range(int(args.wait_restart * 10)):
        if back.exists():
            break
        time.sleep(0.1)
    print("after the writes:", flush=True)
    if back.exists():
        drive.check_sessions(browsers, "after A was killed and restarted")
    drive.check_replica(replica_before)
    return drive.report(started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("setup", help="create the users")
    make.add_argument("--users", type=int, default=8)
    go = sub.add_parser("run", help="log in, check, write and read, count")
    go.add_argument("--proxy", required=True)
    go.add_argument("--app-a", required=True)
    go.add_argument("--app-b", required=True)
    go.add_argument("--state", required=True, help="directory shared with cluster.sh")
    go.add_argument("--threads", type=int, default=8, help="writers, one user each")
    go.add_argument("--duration", type=float, default=30)
    go.add_argument(
        "--wait-restart", type=float, default=0, help="seconds to wait for DIR/a-restarted after the writes"
    )
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.users)
    else:
        sys.exit(run(args))


if __name__ == "__main__":
    main()
