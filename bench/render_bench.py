"""How long shortscience.markup takes to render a realistic summary (~5 KB: markdown, math, a table, cites).

    DJANGO_SETTINGS_MODULE=shortscience.settings DEBUG=1 .venv/bin/python bench/render_bench.py [-n N] [--db]

By default the paper-title lookup is replaced by an in-memory dict, so the figure is the renderer alone and no
database is needed; with --db the cites are looked up in the configured database (run `manage.py migrate`
first), which adds one query per render.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError  # noqa: E402

from papers.models import CitedPaper, Paper, paper_url  # noqa: E402
from shortscience import markup  # noqa: E402

KNOWN_PAPERS = {
    "conf/cvpr/HeZRS16": "Deep Residual Learning for Image Recognition",
    "conf/nips/VaswaniSPUJGKP17": "Attention is All you Need",
    "journals/corr/KingmaB14": "Adam: A Method for Stochastic Optimization",
}

PARAGRAPH = r"""
## Idea

The paper proposes to learn a residual $F(x) = H(x) - x$ instead of the mapping $H(x)$ directly, so a block
computes $y = F(x, \{W_i\}) + x$. When the identity is close to optimal, pushing $\|F(x)\|_2 \to 0$ is easier
for the solver than fitting an identity with a stack of non-linear layers \cite{conf/cvpr/HeZRS16}. The same
trick of _shortcut connections_ shows up in **Highway networks** and, later, in every transformer block
\cite{conf/nips/VaswaniSPUJGKP17}.

$$
\mathcal{L}(\theta) = -\frac{1}{N} \sum_{i=1}^{N} \log p_\theta(y_i \mid x_i) + \lambda \|\theta\|_2^2
$$

Training uses SGD with momentum $\beta = 0.9$ rather than Adam \cite{journals/corr/KingmaB14}; the learning
rate is divided by 10 at 32k and 48k iterations, for a budget of roughly $3.00 per GPU-hour in 2016 prices.

| Model     | Depth | Params | Top-1 error | Top-5 error |
|:----------|------:|-------:|------------:|------------:|
| VGG-16    | 16    | 138M   | 28.07%      | 9.33%       |
| ResNet-34 | 34    | 21.8M  | 25.03%      | 7.76%       |
| ResNet-152| 152   | 60.2M  | $21.43\%$   | $5.71\%$    |

- the projection shortcut $W_s x$ is used only when dimensions change;
- the bottleneck block uses $1 \times 1$, $3 \times 3$, $1 \times 1$ convolutions;
- see also \cite{conf/nips/Unknown17} and https://github.com/KaimingHe/deep-residual-networks.

```python
def block(x):
    return relu(x + conv(relu(conv(x))))  # costs $$ in FLOPs, not math
```

> Deeper is better, *if* optimisation works: \(\mathbb{E}[\|\nabla_\theta \mathcal{L}\|] \not\to 0\).
"""

SOURCE = (
    "# Deep Residual Learning\n"
    + PARAGRAPH
    + PARAGRAPH.replace("## Idea", "## Experiments")
    + PARAGRAPH.replace("## Idea", "## Discussion")
    + "\nhttps://i.imgur.com/P8mL8.png\n"
)


def measure(function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function(SOURCE)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    mean, median = statistics.mean(timings), statistics.median(timings)
    print(f"{label:<18} mean {mean:6.2f} ms  median {median:6.2f} ms  p95 {p95:6.2f} ms  ({len(timings)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=300, help="renders to time (default 300)")
    parser.add_argument("--db", action="store_true", help="look cited papers up in the configured database")
    args = parser.parse_args()

    if args.db:  # the site's own look-up: papers.models.PaperQuerySet.cite_links

        def cite_lookup(keys):
            return Paper.objects.cite_links(keys)

        try:
            cite_lookup(list(KNOWN_PAPERS))
        except DatabaseError as error:
            sys.exit(f"--db needs a migrated database (manage.py migrate): {error}")
    else:

        def cite_lookup(keys):
            return {key: CitedPaper(paper_url(key), KNOWN_PAPERS.get(key, ""), None) for key in keys}

    def render_summary(source):
        return markup.render_summary(source, cite_lookup=cite_lookup)

    html = render_summary(SOURCE)  # warm-up: builds the per-thread Markdown and bleach instances
    cites, lookup = html.count('class="cite"'), "database" if args.db else "in-memory dict"
    print(
        f"source {len(SOURCE.encode())} bytes -> HTML {len(html.encode())} bytes, "
        f"{html.count('arithmatex')} math elements, {cites} cites, title lookup: {lookup}"
    )
    report("render_summary", measure(render_summary, args.runs))
    report("extract_citations", measure(markup.extract_citations, args.runs))

    # Unclosed delimiters: a pattern that rescans to the end from every opener is quadratic (pymdownx.arithmatex's
    # own \(…\) needs ~50 s on 40,000 of them). Linear rendering takes ~4x as long for 4x the openers.
    # Past 5,000 inline constructs the renderer refuses (markup.RenderTooComplex): the time to say so is shown.
    # bench/render_adversarial.py has every other construct.
    for opener in ("\\(", "\\[", "$", "$$", "\\cite{", "https://"):
        times, refused = {}, []
        for count in (10_000, 40_000):
            started = time.perf_counter()
            try:
                render_summary(opener * count)
            except markup.RenderTooComplex:
                refused.append(f"{count:,}")
            times[count] = time.perf_counter() - started
        ratio = times[40_000] / times[10_000]
        short, long = times[10_000], times[40_000]
        note = f"  (refused: {', '.join(refused)})" if refused else ""
        print(f"unclosed {opener!r:<12} 10,000: {short:5.2f} s  40,000: {long:5.2f} s  ratio {ratio:4.1f}x{note}")


if __name__ == "__main__":
    main()
