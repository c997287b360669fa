"""Demo data for a first look at the site: the real papers of papers/demo_data/, the people of
summaries/demo_data/people.json, and our own summaries of some of those papers (summaries/demo_data/summaries/,
format in summaries/demo_data/README.md) with their votes and comments.

Safe to run again: a second run changes nothing. After an edit of the demo data, a run saves the changed summaries
through summary_save (a new revision), casts the changed votes and adds the new comments."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from papers.importers.arxiv_api import parse_arxiv_atom
from papers.importers.bibtex import parse_bibtex
from papers.models import Paper, Venue
from papers.services import papers_import
from shortscience.progress import Progress
from summaries.models import Comment, Revision, Summary, Vote
from summaries.services import (
    comment_create,
    summary_counters_refresh,
    summary_popularity_refresh,
    summary_save,
    summary_scores_refresh,
    vote_cast,
)

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"

# A venue is a series, but the import names a new one after the first proceedings it meets ("Proceedings of the
# 56th Annual ACM Symposium on Theory of Computing, STOC 2024, ..."), which pages then show for every year.
VENUE_NAMES = {
    "journals/corr": "arXiv e-Print archive",
    "conf/nips": "Neural Information Processing Systems Conference",
    "conf/icml": "International Conference on Machine Learning",
    "conf/iclr": "International Conference on Learning Representations",
    "conf/stoc": "ACM Symposium on Theory of Computing (STOC)",
    "conf/focs": "IEEE Symposium on Foundations of Computer Science (FOCS)",
    "conf/coco": "Computational Complexity Conference (CCC)",
    "conf/fsttcs": "Foundations of Software Technology and Theoretical Computer Science (FSTTCS)",
    "conf/mfcs": "Mathematical Foundations of Computer Science (MFCS)",
    "conf/stacs": "Symposium on Theoretical Aspects of Computer Science (STACS)",
    "conf/icalp": "International Colloquium on Automata, Languages and Programming (ICALP)",
    "conf/cocoon": "Computing and Combinatorics Conference (COCOON)",
    "conf/iscas": "IEEE International Symposium on Circuits and Systems (ISCAS)",
    "conf/ecctd": "European Conference on Circuit Theory and Design (ECCTD)",
    "conf/apccas": "IEEE Asia Pacific Conference on Circuits and Systems (APCCAS)",
    "conf/icsoc": "International Conference on Service-Oriented Computing (ICSOC)",
    "conf/icws": "IEEE International Conference on Web Services (ICWS)",
    "conf/zeus": "Central European Workshop on Services and their Composition (ZEUS)",
    "conf/closer": "International Conference on Cloud Computing and Services Science (CLOSER)",
    "conf/ic2e": "IEEE International Conference on Cloud Engineering (IC2E)",
    "conf/otm": "On the Move to Meaningful Internet Systems (OTM)",
    "conf/wsfm": "Web Services and Formal Methods (WS-FM)",
}

HEADER_LINE_RE = re.compile(r"^([a-z]+):\s*(.*)$")
WRITTEN_RE = re.compile(r"^(\d+) (hour|day)s? ago$")
VOTE_RE = re.compile(r"^(\S+) ([+-]1)$")
FLAGS = {"private", "anonymous"}


@dataclass
class DemoSummary:
    """One file of summaries/demo_data/summaries/: a summary and what others did with it."""

    name: str
    paper_key: str
    author: str
    age: timedelta
    body: str
    flags: set[str] = field(default_factory=set)
    votes: dict[str, int] = field(default_factory=dict)
    comments: list[tuple[str, str]] = field(default_factory=list)


def demo_summary_read(path: Path) -> DemoSummary:
    """Parse a summary file: `name: value` header lines, a blank line, the markdown body."""
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    values: dict[str, list[str]] = {}
    for number, line in enumerate(header.splitlines(), start=1):
        match = HEADER_LINE_RE.match(line)
        if not match:
            raise CommandError(f"{path.name}, line {number}: expected `name: value`, got {line!r}")
        values.setdefault(match[1], []).append(match[2].strip())
    unknown = set(values) - {"paper", "author", "written", "flags", "votes", "comment"}
    missing = {"paper", "author", "written"} - set(values)
    if unknown or missing or not body.strip():
        raise CommandError(
            f"{path.name}: unknown fields {sorted(unknown)}, missing fields {sorted(missing)}, "
            f"or no body after the blank line"
        )
    written = WRITTEN_RE.match(values["written"][0])
    if not written:
        raise CommandError(f"{path.name}: `written` is like '3 days ago' or '5 hours ago'")
    flags = set(" ".join(values.get("flags", [])).split())
    if flags - FLAGS:
        raise CommandError(f"{path.name}: unknown flags {sorted(flags - FLAGS)}")
    votes = {}
    for item in filter(None, (v.strip() for v in ",".join(values.get("votes", [])).split(","))):
        vote = VOTE_RE.match(item)
        if not vote:
            raise CommandError(f"{path.name}: a vote is like 'username +1', got {item!r}")
        votes[vote[1]] = int(vote[2])
    comments = []
    for item in values.get("comment", []):
        username, _, text = item.partition(":")
        if not text.strip():
            raise CommandError(f"{path.name}: a comment is like 'username: text', got {item!r}")
        comments.append((username.strip(), text.strip()))
    unit = {"hour": timedelta(hours=1), "day": timedelta(days=1)}[written[2]]
    return DemoSummary(
        name=path.name,
        paper_key=values["paper"][0],
        author=values["author"][0],
        age=int(written[1]) * unit,
        body=body.strip(),
        flags=flags,
        votes=votes,
        comments=comments,
    )


def between(start: datetime, end: datetime, index: int, count: int) -> datetime:
    """The index-th of `count` moments spread evenly between start and end (both excluded)."""
    return start + (end - start) * (index + 1) / (count + 1)


class Command(BaseCommand):
    help = (
        "Load real demo papers (arXiv and dblp), demo people and our own summaries of some of those papers, "
        f"with votes and comments. Log in as '{DEMO_USERNAME}'. Safe to run again."
    )

    def handle(self, *args, **options):
        self.verbose = options["verbosity"] > 0
        items = [demo_summary_read(path) for path in sorted((DEMO_DATA / "summaries").glob("*.md"))]
        people_data = json.loads((DEMO_DATA / "people.json").read_text(encoding="utf-8"))
        self._check_people(items, people_data)
        self._papers()
        papers = self._papers_of(items)
        with transaction.atomic():
            people = self._people(people_data)
            self._summaries(items, papers, people)
        public = Summary.objects.public().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Paper.objects.count()} papers, {public} public summaries. "
                f"Log in as '{DEMO_USERNAME}' with password '{DEMO_PASSWORD}'."
            )
        )

    def _say(self, line: str) -> None:
        if self.verbose:
            self.stdout.write(line)

    def _papers(self) -> None:
        stream = self.stdout if self.verbose else None
        papers_data = Path(apps.get_app_config("papers").path) / "demo_data"
        for path in sorted(papers_data.glob("*.xml")):
            records, problems = parse_arxiv_atom(path.read_bytes(), ref=path.name)
            result = papers_import(records=records, problems=problems)
            self._say(f"{path.name}: {result.summary()}")
        for path in sorted(papers_data.glob("*.bib")):
            records, problems = parse_bibtex(path.read_bytes())
            result = papers_import(
                records=records, problems=problems, progress=Progress(stream, total=len(records), every=500)
            )
            self._say(f"{path.name}: {result.summary()}")
        for key, name in VENUE_NAMES.items():
            Venue.objects.filter(key=key).update(name=name)

    def _check_people(self, items: list[DemoSummary], people_data: list[dict]) -> None:
        """Every author, voter and commenter is in people.json, and nobody votes on their own summary."""
        usernames = {person["username"] for person in people_data}
        problems = []
        for item in items:
            named = {item.author, *item.votes, *(username for username, _ in item.comments)}
            problems += [f"{item.name}: {name!r} is not in people.json" for name in sorted(named - usernames)]
            if item.author in item.votes:
                problems.append(f"{item.name}: {item.author!r} votes on their own summary")
        if problems:
            raise CommandError("The demo summaries need fixing:\n" + "\n".join(problems))

    def _papers_of(self, items: list[DemoSummary]) -> dict[str, Paper]:
        """The summaries' papers by bibtex key; every one must be in papers/demo_data."""
        papers = Paper.objects.in_bulk({item.paper_key for item in items}, field_name="bibtex_key")
        missing = [
            f"{item.name}: no paper with bibtex key {item.paper_key!r}"
            for item in items
            if item.paper_key not in papers
        ]
        if missing:
            raise CommandError(
                "The demo summaries name papers that papers/demo_data does not have:\n" + "\n".join(missing)
            )
        return papers

    def _people(self, people_data: list[dict]) -> dict:
        """The demo people by username. Only `demo` can log in; the others have unusable passwords and no email
        address. No one gets comment mail (demo can turn it on in the settings), so seeding sends none."""
        people, created, updated, unconfirmed = {}, 0, 0, []
        for person in people_data:
            username = person["username"]
            user, is_new = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "display_name": person["display_name"],
                    "bio": person["bio"],
                    "email": "demo@shortscience.example" if username == DEMO_USERNAME else "",
                    "email_on_comment": False,
                    "is_confirmed": True,  # what they wrote is public (accounts.services.user_confirmed_refresh)
                },
            )
            if is_new:
                if username == DEMO_USERNAME:
                    user.set_password(DEMO_PASSWORD)
                else:
                    user.set_unusable_password()
                user.save()
                if user.email:  # confirmed, so that demo logs in (email verification is mandatory)
                    EmailAddress.objects.get_or_create(
                        user=user, email=user.email, defaults={"primary": True, "verified": True}
                    )
                created += 1
            elif (user.display_name, user.bio) != (person["display_name"], person["bio"]):
                user.display_name, user.bio = person["display_name"], person["bio"]
                user.save(update_fields=["display_name", "bio"])
                updated += 1
            if username == DEMO_USERNAME:  # verified: log-in needs a confirmed address
                EmailAddress.objects.get_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
            if not user.is_confirmed:  # seeded before confirmation came in: what they wrote is public again
                unconfirmed.append(user.pk)
            people[username] = user
        if unconfirmed:
            get_user_model().objects.filter(pk__in=unconfirmed).update(is_confirmed=True)
            voted = list(Vote.objects.filter(voter_id__in=unconfirmed).values_list("summary_id", flat=True))
            summary_counters_refresh(
                summary_ids=Summary.objects.filter(
                    Q(author_id__in=unconfirmed)
                    | Q(pk__in=Comment.objects.filter(author_id__in=unconfirmed).values("summary_id"))
                ).values("pk")
            )
            summary_scores_refresh(summary_ids=voted)
            summary_popularity_refresh(summary_ids=voted)
            for user in people.values():
                user.is_confirmed = True
            updated += len(unconfirmed)
        self._say(f"People: {len(people)} ({created} created, {updated} updated)")
        return people

    def _summaries(self, items: list[DemoSummary], papers: dict[str, Paper], people: dict) -> None:
        now = timezone.now()
        outcomes = {"created": 0, "updated": 0, "unchanged": 0}
        votes_cast = comments_added = 0
        for item in items:
            summary, outcome = self._summary(item, papers[item.paper_key], people[item.author], now)
            outcomes[outcome] += 1
            votes_cast += self._votes(item, summary, people, now)
            comments_added += self._comments(item, summary, people, now)
            unresolved = sorted(summary.citations.filter(paper__isnull=True).values_list("cited_key", flat=True))
            if unresolved:
                self.stderr.write(f"{item.name}: no stored paper for the cited keys {', '.join(unresolved)}")
        self._say(
            f"Summaries: {len(items)} ({', '.join(f'{n} {outcome}' for outcome, n in outcomes.items())}); "
            f"{votes_cast} votes cast, {comments_added} comments added"
        )

    def _summary(self, item: DemoSummary, paper: Paper, author, now: datetime) -> tuple[Summary, str]:
        """Save the summary through the service. A new one is dated `item.age` ago; an edit is dated now, as the
        service dates it."""
        stored = Summary.objects.filter(paper=paper, author=author).first()
        summary = summary_save(
            paper=paper,
            author=author,
            body=item.body,
            is_private="private" in item.flags,
            is_anonymous="anonymous" in item.flags,
            base_version=stored.version if stored else None,
        )
        if stored is None:
            written = now - item.age
            Summary.objects.filter(pk=summary.pk).update(created_at=written, edited_at=written)
            Revision.objects.filter(summary=summary).update(created_at=written)
            summary.created_at = summary.edited_at = written
            return summary, "created"
        flags = (stored.is_private, stored.is_anonymous)
        if summary.version != stored.version or flags != (summary.is_private, summary.is_anonymous):
            return summary, "updated"
        return summary, "unchanged"

    def _votes(self, item: DemoSummary, summary: Summary, people: dict, now: datetime) -> int:
        """Cast the votes that differ from the stored ones; a new vote is dated between the summary and now."""
        stored = dict(Vote.objects.filter(summary=summary).values_list("voter__username", "value"))
        cast = 0
        for index, (username, value) in enumerate(item.votes.items()):
            if stored.get(username) == value:
                continue
            vote_cast(summary=summary, voter=people[username], value=value)
            if username not in stored:
                at = between(summary.created_at, now, index, len(item.votes))
                Vote.objects.filter(summary=summary, voter=people[username]).update(created_at=at, updated_at=at)
            cast += 1
        return cast

    def _comments(self, item: DemoSummary, summary: Summary, people: dict, now: datetime) -> int:
        """Add the comments not stored yet, dated in their order between the summary and now."""
        stored = set(Comment.objects.filter(summary=summary).values_list("author__username", "body"))
        added = 0
        for index, (username, body) in enumerate(item.comments):
            if (username, body) in stored:
                continue
            comment = comment_create(summary=summary, author=people[username], body=body)
            Comment.objects.filter(pk=comment.pk).update(
                created_at=between(summary.created_at, now, index, len(item.comments))
            )
            added += 1
        return added
