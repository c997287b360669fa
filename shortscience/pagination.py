"""Pages of a list whose length is stored, not counted: CountedPaginator."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """Django's Paginator told how many items there are (a stored count), so that a page reads only its own rows:
    no COUNT(*) of the whole list on each request."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class CappedCountPaginator(Paginator):
    """Pages of a list that may hold millions of rows (the admin's papers and authors): it counts at most COUNT_CAP
    of them (`SELECT COUNT(*) FROM (… LIMIT cap)`, a short read of an index), so a changelist never counts the
    whole catalogue. Past the cap the last page is the cap's: a search or a filter narrows the list."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.COUNT_CAP].count()
