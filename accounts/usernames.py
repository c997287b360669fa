"""Usernames: which names are allowed, and when two names are the same name (issue 10 finding 6).

A username is ASCII letters, digits, `_` and `-`, and does not start with `anon-` in any case: paper pages anchor
anonymous summaries as `#anon-N` and `&a=anon-N`, and a user called anon-4 shared them. Two names are the same
name, so the second is refused, when their folds are equal. The fold (`username_fold`) maps each character to one
of its class of look-alikes: NFKC first (fullwidth `ａｌｉｃｅ` is `alice`), then Unicode's confusables
(UTS #39, as the confusable_homoglyphs package ships them: Cyrillic `а` is `a`) joined with ASCII's upper and lower
case, so `Alice`, `ALICE`, `аlice` and `aIice` (capital i) are all `alice`. Joining the two relations is what
makes the fold one function: capital I looks like l and is i in lower case, so i, l, I, L, 1 and | fold to one
letter, as do o, O and 0. Only single characters are folded: `rn` and `m` are two names. Names are compared by
fold only; they are shown as typed.

`username_folds_assign` gives every account its folded name (`User.username_folded`, unique in the database)
and reports the older names that break the rules or clash: the migration that brought the rule in runs it, and
so does `manage.py usernames_check`.
"""

import re
import unicodedata
from functools import cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.deconstruct import deconstructible

from shortscience.groups import joined_groups

ANONYMOUS_PREFIX = "anon-"


@deconstructible
class UsernameValidator:
    """ASCII letters, digits, _ and -, not starting with anon- (the anchors of anonymous summaries)."""

    def __call__(self, value: str) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
            raise ValidationError(
                "A username may hold only the letters A to Z (upper or lower case), digits, _ and -.", code="invalid"
            )
        if value.lower().startswith(ANONYMOUS_PREFIX):
            raise ValidationError(
                f"A username may not start with “{ANONYMOUS_PREFIX}”: that is how anonymous summaries are named.",
                code="reserved",
            )

    def __eq__(self, other):
        return isinstance(other, UsernameValidator)


validate_username = UsernameValidator()


def username_fold(name: str) -> str:
    """The name two usernames must not share (see the module's docstring)."""
    table = _fold_table()
    folded = "".join(table.get(char) or char.casefold() for char in unicodedata.normalize("NFKC", name))
    return "".join(table.get(char, char) for char in folded)  # what casefold made, folded too


@cache
def _fold_table() -> dict[str, str]:
    """Every character in a class of look-alikes -> the class's representative: its first ASCII lower-case letter,
    else its first ASCII character, else its first character. Classes join Unicode's confusable pairs of single
    characters with ASCII letters' two cases."""
    from confusable_homoglyphs.utils import load

    def pairs():
        for char, homoglyphs in load("confusables.json").items():
            char = char.strip("\u200e")  # the data wraps right-to-left characters in LEFT-TO-RIGHT MARKs
            for homoglyph in homoglyphs:
                other = homoglyph["c"].strip("\u200e")
                if len(char) == 1 and len(other) == 1:
                    yield char, other
        for letter in "abcdefghijklmnopqrstuvwxyz":
            yield letter.upper(), letter

    table = {}
    for members in joined_groups(pairs()):
        members.sort()
        ascii_lower = [char for char in members if char.isascii() and char.islower()]
        representative = (ascii_lower or [char for char in members if char.isascii()] or members)[0]
        table.update(dict.fromkeys(members, representative))
    return table


def username_folds_assign(user_model, *, write: bool = True) -> list[str]:
    """Give each account whose folded name is missing or stale its folded name, when no older account (lower id)
    holds it; return a report of the names that clash (they keep their name and log in as before, with no folded
    name until renamed) and of the names that break the rules. Names are never changed here."""
    rows = list(user_model._default_manager.order_by("pk").values_list("pk", "username", "username_folded"))
    holders: dict[str, int] = {}
    names = {pk: name for pk, name, _ in rows}
    wanted: dict[int, str | None] = {}
    clashes, invalid = [], []
    for pk, name, _ in rows:
        fold = username_fold(name)
        if fold in holders:
            clashes.append(f"  #{pk} “{name}” is the same name as #{holders[fold]} “{names[holders[fold]]}”")
            wanted[pk] = None
        else:
            holders[fold] = pk
            wanted[pk] = fold
        try:
            validate_username(name)
        except ValidationError as error:
            invalid.append(f"  #{pk} “{name}”: {error.messages[0]}")
    changed = [pk for pk, _, folded in rows if folded != wanted[pk]]
    if write and changed:
        manager = user_model._default_manager
        with transaction.atomic(using=manager.db):
            manager.filter(pk__in=changed).update(username_folded=None)  # first, so no two rows hold one at once
            users = [user_model(pk=pk, username_folded=wanted[pk]) for pk in changed if wanted[pk] is not None]
            manager.bulk_update(users, ["username_folded"], batch_size=1000)
    report = []
    if clashes:
        report.append(
            f"{len(clashes)} usernames are the same name as an older account's once case and look-alike letters are"
            " folded; each still logs in, but has no folded name (a new account may not take it) until renamed:"
        )
        report += clashes
    if invalid:
        report.append(f"{len(invalid)} usernames break the rules (ASCII letters, digits, _ and -; not anon-…):")
        report += invalid
    if report:
        report.append(
            "Rename them in the admin (/admin/accounts/user/ID/change/), then run `manage.py usernames_check"
            " --assign` to give the names freed to the accounts that clashed."
        )
    return report
