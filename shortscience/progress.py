"""Console progress for long commands: `N/total (percent) rate/s, ETA` every so many items."""

import time


class Progress:
    """Prints `N/total (rate/s, ETA)` to a stream every `every` items and at the end."""

    def __init__(self, stream, total: int | None = None, every: int = 100, label: str = "papers"):
        self.stream, self.total, self.every, self.label = stream, total, every, label
        self.count, self.started, self.written = 0, time.monotonic(), -1
        self.position = None  # how far into its input the import has got, when the caller says (bytes, say)

    def step(self, n: int = 1, *, position: int | None = None) -> None:
        before = self.count
        self.count += n
        if position is not None:
            self.position = position
        if self.stream and self.count // self.every != before // self.every:
            self.write()

    def write(self) -> None:
        if not self.stream or self.written == self.count:
            return
        self.written = self.count
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.count / elapsed
        line = f"{self.count}"
        if self.total:
            eta = (self.total - self.count) / rate if rate else 0
            line += f"/{self.total} ({100 * self.count / self.total:.0f}%)"
            line += f" {rate:,.0f} {self.label}/s, ETA {eta:,.0f}s"
        else:
            line += f" {self.label}, {rate:,.0f}/s"
        self.stream.write(line + "\n")
