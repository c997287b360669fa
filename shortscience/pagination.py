"""Pages of a list whose length is stored, not counted: CountedPaginator."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """Django's Paginator told how many items there are (a stored count), so that a page reads only its own rows:
    no COUNT(*) of the whole list on each request."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count
