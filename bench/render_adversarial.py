"""The worst case of shortscience.markup per construct: every case of tests/fixtures/markup/adversarial.yaml, built
up to the summary length limit, rendered several times, beside a realistic summary of the same length.

    .venv/bin/python bench/render_adversarial.py [-n RUNS] [--length N] [-k NAME]

Prints, per case, the fastest, median and slowest of RUNS renders (the spread is the machine's noise: other work
on the same cores), the median as a multiple of the realistic summary's (measured in the same run, so less
noisy), the peak memory of one render (traced, in a run of its own), "refused" when the renderer stopped it with
RenderTooComplex, and the worst median of all (realistic included).
Needs no database and no Django settings: the citation look-up is a dict.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shortscience import markup  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "markup" / "adversarial.yaml"
LIMIT = 60_000  # summaries.models.MAX_SUMMARY_LENGTH (not imported: that would need Django set up)

# A realistic summary (headings, math, a table, a list, code, links, cites), repeated to the same length.
REALISTIC = r"""## Idea

The paper proposes to learn a residual $F(x) = H(x) - x$ instead of the mapping $H(x)$ directly, so a block
computes $y = F(x, \{W_i\}) + x$ [as in highway networks](https://arxiv.org/abs/1505.00387) \cite{conf/cvpr/X16}.
The same trick of _shortcut connections_ shows up in **every transformer block**.

$$
\mathcal{L}(\theta) = -\frac{1}{N} \sum_{i=1}^{N} \log p_\theta(y_i \mid x_i) + \lambda \|\theta\|_2^2
$$

| Model     | Depth | Top-1 error |
|:----------|------:|------------:|
| VGG-16    | 16    | 28.07%      |
| ResNet-34 | 34    | 25.03%      |

- the projection shortcut $W_s x$ is used only when dimensions change;
- see https://github.com/KaimingHe/deep-residual-networks and `conv(relu(x))`.

> Deeper is better, *if* optimisation works: \(\mathbb{E}[\|\nabla_\theta \mathcal{L}\|] \not\to 0\).

"""


def load_cases() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def build_source(case: dict, length: int = LIMIT) -> str:
    """The case's text at most `length` characters long, its construct repeated as often as fits."""
    if "unit" in case:
        prefix, suffix, unit = case.get("prefix", ""), case.get("suffix", ""), case["unit"]
        return prefix + unit * ((length - len(prefix) - len(suffix)) // len(unit)) + suffix
    if case.get("repeat_nested"):  # each line one level deeper than the last
        lines, size, depth = [], 0, 0
        while size + len(case["open"]) * depth + len(case["middle"]) <= length:
            lines.append(case["open"] * depth + case["middle"])
            size, depth = size + len(lines[-1]), depth + 1
        return "".join(lines)
    opener, middle, closer = case["open"], case["middle"], case.get("close", "")
    depth = (length - len(middle)) // (len(opener) + len(closer))
    return opener * depth + middle + closer * depth


def realistic_source(length: int = LIMIT) -> str:
    return (REALISTIC * (length // len(REALISTIC) + 1))[:length]


def cite_lookup(keys):
    return {}


def time_render(source: str) -> tuple[float, bool]:
    """(seconds, refused) of one render."""
    started = time.perf_counter()
    try:
        markup.render_summary(source, cite_lookup=cite_lookup)
        refused = False
    except markup.RenderTooComplex:
        refused = True
    return time.perf_counter() - started, refused


def peak_memory(source: str) -> float:
    """The most memory (MB) one render of `source` holds at once, traced (a run of its own: tracing is slow)."""
    tracemalloc.start()
    try:
        time_render(source)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def measure(source: str, runs: int) -> tuple[list[float], bool]:
    timings, refused = [], False
    for _ in range(runs):
        seconds, refused = time_render(source)
        timings.append(seconds * 1000)
    return timings, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=5, help="renders per case (default 5)")
    parser.add_argument("--length", type=int, default=LIMIT, help=f"characters per case (default {LIMIT:,})")
    parser.add_argument("-k", dest="name", default="", help="only the cases whose name contains this")
    args = parser.parse_args()

    time_render("warm-up: builds the per-thread Markdown instance and sanitiser")
    rows = [("realistic summary", realistic_source(args.length))]
    rows += [(case["name"], build_source(case, args.length)) for case in load_cases() if args.name in case["name"]]
    header = f"{'case':<34} {'chars':>7} {'min':>9} {'median':>9} {'max':>9} {'×real':>6} {'MB':>6}"
    print(f"{header}   (ms, {args.runs} runs)")
    worst, realistic = ("", 0.0), None
    for name, source in rows:
        timings, refused = measure(source, args.runs)
        median = statistics.median(timings)
        realistic = realistic or median  # the first row: the ratio's unit, measured in this run
        note = "  refused (RenderTooComplex)" if refused else ""
        ratio = median / realistic
        memory = peak_memory(source)
        row = f"{name:<34} {len(source):>7,} {min(timings):9.1f} {median:9.1f} {max(timings):9.1f} {ratio:6.2f}"
        print(f"{row} {memory:6.1f}{note}")
        if median > worst[1]:
            worst = (name, median)
    print(f"worst median: {worst[1]:.1f} ms ({worst[0]}), {worst[1] / realistic:.2f} × the realistic summary")


if __name__ == "__main__":
    main()
