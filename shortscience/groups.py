"""Connected groups: the items that a list of pairs joins, transitively (a disjoint-set forest with path halving).
Used for the papers that are one work (papers/works.py) and for the characters that look alike
(accounts/usernames.py)."""

from collections.abc import Hashable, Iterable


def joined_groups(pairs: Iterable[tuple[Hashable, Hashable]]) -> list[list]:
    """The groups of the items of `pairs`, each pair's two items in one group; items in the order first seen."""
    parent: dict = {}

    def root(item):
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict = {}
    for item in list(parent):
        groups.setdefault(root(item), []).append(item)
    return list(groups.values())
