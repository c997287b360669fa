"""Linking the records of one paper (its arXiv preprint, its conference version…) as one Work."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from shortscience.groups import joined_groups

from .models import Paper, PaperAuthor, Work

MIN_TITLE_LENGTH_FOR_MATCH = 20  # "Introduction" or "Editorial" must not join unrelated papers


def _surname(normalized_name: str) -> str:
    return normalized_name.rsplit(" ", 1)[-1]


def _duplicate_edges(paper_ids) -> list[tuple[int, int]]:
    """Pairs of papers that are one work: same arXiv id, same DOI, or same normalised title with a shared
    author surname. With `paper_ids`, only groups touching those papers are looked at."""
    edges = []
    for column in ("arxiv_id", "doi", "title_normalized"):
        present = Paper.objects.exclude(**{column: ""})
        if paper_ids is None:
            values = present.values(column).annotate(n=Count("pk")).filter(n__gt=1).values(column)
        else:
            values = present.filter(pk__in=paper_ids).values(column)
        groups = defaultdict(list)
        for pk, value in present.filter(**{f"{column}__in": values}).values_list("pk", column):
            if column != "title_normalized" or len(value) >= MIN_TITLE_LENGTH_FOR_MATCH:
                groups[value].append(pk)
        groups = [ids for ids in groups.values() if len(ids) > 1]
        if column == "title_normalized" and groups:
            surnames = defaultdict(set)
            rows = PaperAuthor.objects.filter(paper_id__in=[pk for ids in groups for pk in ids])
            for pk, name in rows.values_list("paper_id", "author__name_normalized"):
                surnames[pk].add(_surname(name))
            groups = [
                [pk for pk in ids if any(surnames[pk] & surnames[other] for other in ids if other != pk)]
                for ids in groups
            ]
        for ids in groups:
            edges.extend((ids[0], other) for other in ids[1:])
    return edges


WORKS_BATCH = 1000  # new works inserted, and papers given their work, this many per query


@transaction.atomic
def works_link(*, paper_ids: Iterable[int] | None = None) -> int:
    """Give papers that are one work the same Work, merging works that turn out to be one.

    Called by paper_upsert for each imported paper and by `manage.py link_works` for the whole catalogue.
    Returns the number of papers whose work changed (a paper moved twice counts twice).

    Groups are handled one after another, but their papers' works are read in one query, new works are
    inserted together and papers are given their work WORKS_BATCH at a time: queries do not grow with the
    number of groups, except two for each group in which two works meet (rare) and which are merged then.
    """
    if paper_ids is not None:
        paper_ids = list(paper_ids)
        if not paper_ids:
            return 0
    groups = joined_groups(_duplicate_edges(paper_ids))
    if not groups:
        return 0
    work_of = dict(Paper.objects.filter(pk__in=[pk for group in groups for pk in group]).values_list("pk", "work_id"))
    # A paper deleted meanwhile is left out, as the queries by pk below would.
    components = [members for group in groups if (members := [pk for pk in group if pk in work_of])]
    papers_of = defaultdict(set)  # work -> the papers above in it, to follow works merged below
    for pk, work_id in work_of.items():
        if work_id is not None:
            papers_of[work_id].add(pk)

    # Papers only ever move from no work to one, or from one work to another: a group without a work now has none
    # when its turn comes, and gets one of these, in turn.
    without_work = sum(all(work_of[pk] is None for pk in members) for members in components)
    new_works = iter(Work.objects.bulk_create([Work() for _ in range(without_work)], batch_size=WORKS_BATCH))
    pending = {}  # pk -> work, not written yet

    def write_pending():
        papers = [Paper(pk=pk, work_id=work_id) for pk, work_id in pending.items()]
        Paper.objects.bulk_update(papers, ["work"], batch_size=WORKS_BATCH)
        pending.clear()

    def move(pk, work_id):
        if work_of[pk] is not None:
            papers_of[work_of[pk]].discard(pk)
        papers_of[work_id].add(pk)
        work_of[pk] = work_id

    changed = 0
    for members in components:
        works = sorted({work_of[pk] for pk in members} - {None})
        work_id = works[0] if works else next(new_works).pk
        if len(works) > 1:  # two works met through this group: fold the others into the first
            write_pending()  # so that the fold below finds every paper of those works where it now belongs
            changed += Paper.objects.filter(work_id__in=works[1:]).update(work_id=work_id)
            Work.objects.filter(pk__in=works[1:]).delete()
            for folded in works[1:]:
                for pk in list(papers_of.pop(folded, ())):
                    move(pk, work_id)
        for pk in members:
            if work_of[pk] != work_id:
                move(pk, work_id)
                pending[pk] = work_id
                changed += 1
    write_pending()
    return changed
