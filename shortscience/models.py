"""The project package's one table: when an outside host may next be asked (shortscience.http's pacing)."""

from django.db import models


class OutboundPace(models.Model):
    """The earliest time the next request to one outside service may start, for every process on every machine.

    `key` names the service as HttpClient paces it (a host name, or "arxiv.org" for all of arXiv's APIs). Rows are
    written by `shortscience.http.DatabasePacer` with raw SQL while it holds the key's advisory lock; the database's
    clock is the one every machine measures from."""

    key = models.CharField(max_length=100, primary_key=True)
    next_request_at = models.DateTimeField()

    def __str__(self):
        return f"{self.key}: not before {self.next_request_at:%Y-%m-%d %H:%M:%S.%f}"
