from io import StringIO

from shortscience.progress import Progress


def test_progress_prints_every_n_items_and_once_at_the_end():
    out = StringIO()
    progress = Progress(out, total=250, every=100)
    for _ in range(250):
        progress.step()
    progress.write()
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["100/250", "200/250", "250/250"]
    assert "(100%)" in lines[-1] and "papers/s, ETA" in lines[-1]


def test_progress_does_not_repeat_the_last_line():
    out = StringIO()
    progress = Progress(out, total=200, every=100)
    for _ in range(200):
        progress.step()
    progress.write()
    assert len(out.getvalue().splitlines()) == 2


def test_progress_without_total_counts_and_rates():
    out = StringIO()
    progress = Progress(out, every=2, label="summaries")
    progress.step(3)
    assert out.getvalue().startswith("3 summaries, ")
