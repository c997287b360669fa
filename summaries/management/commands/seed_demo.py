from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from papers.importers.arxiv_api import parse_arxiv_atom
from papers.importers.bibtex import parse_bibtex
from papers.models import Paper, Venue
from papers.services import papers_import
from shortscience.progress import Progress
from summaries.models import Summary
from summaries.services import summary_save

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"

VENUE_NAMES = {
    "journals/corr": "arXiv e-Print archive",
    "conf/nips": "Neural Information Processing Systems Conference",
    "conf/icml": "International Conference on Machine Learning",
    "conf/iclr": "International Conference on Learning Representations",
}

DEMO_SUMMARIES = [
    (
        "journals/corr/2202.12139",
        r"""# The question

Which testing technique finds the most faults in a deep learning model, and do they agree?

## Method

The authors compare several test-input generation criteria on the same models. For a model $f_\theta$ and
an input $x$, a *mutation score* counts how many perturbed models $f_{\theta'}$ disagree:

$$\mathrm{MS}(x) = \frac{1}{|M|} \sum_{\theta' \in M} \mathbb{1}\left[f_{\theta'}(x) \neq f_\theta(x)\right]$$

| Technique | Kind |
| --- | --- |
| Neuron coverage | structural |
| Surprise adequacy | distribution |

**Take-away:** the criteria rank test sets differently, so a single coverage number is a weak signal.
""",
    ),
    (
        "journals/corr/1111.2011",
        r"""A compact paper on quantum criticality on a Bethe lattice. The key object is the order parameter
$m$ near the critical coupling $g_c$, with $m \propto (g_c - g)^{\beta}$ and the large-$N$ limit making the
saddle point exact: \( \partial_m F(m) = 0 \).

The numerics agree with the mean-field exponent $\beta = 1/2$.""",
    ),
]


class Command(BaseCommand):
    help = "Load real demo papers (arXiv and dblp) and a demo user with a few summaries. Safe to run again."

    def handle(self, *args, **options):
        stream = self.stdout if options["verbosity"] else None
        papers_data = Path(apps.get_app_config("papers").path) / "demo_data"
        for path in sorted(papers_data.glob("*.xml")):
            records, problems = parse_arxiv_atom(path.read_bytes(), ref=path.name)
            result = papers_import(records=records, problems=problems)
            self.stdout.write(f"{path.name}: {result.summary()}")
        for path in sorted(papers_data.glob("*.bib")):
            records, problems = parse_bibtex(path.read_bytes())
            result = papers_import(
                records=records, problems=problems, progress=Progress(stream, total=len(records), every=500)
            )
            self.stdout.write(f"{path.name}: {result.summary()}")
        for key, name in VENUE_NAMES.items():
            Venue.objects.filter(key=key).update(name=name)
        self._demo_user_and_summaries()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Paper.objects.count()} papers. "
                f"Log in as '{DEMO_USERNAME}' with password '{DEMO_PASSWORD}'."
            )
        )

    @transaction.atomic
    def _demo_user_and_summaries(self):
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@shortscience.example", "display_name": "Demo Reader"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for key, body in DEMO_SUMMARIES:
            paper = Paper.objects.filter(bibtex_key=key).first()
            if paper and not Summary.objects.filter(paper=paper, author=user).exists():
                summary_save(paper=paper, author=user, body=body, base_version=None)
