"""A user's summaries in the JSON API (mounted under /api/ by shortscience/api.py): their public summaries signed
with their name, as their profile lists them (never the anonymous ones: those name nobody). A banned user, or a
name nobody has, is a 404."""

from typing import Annotated

from django.http import Http404
from ninja import Query, Router

from shortscience.api_kit import PAGE_SIZE, SAFE_METHODS, Cursor, PageSize, text_type
from summaries.api import SummaryPage, summary_page
from summaries.models import Summary

from .models import User

router = Router(tags=["users"])

Username = text_type(User._meta.get_field("username").max_length)


@router.api_operation(
    SAFE_METHODS, "/user/summaries", response=SummaryPage, url_name="user-summaries", summary="A user's summaries"
)
def user_summaries(
    request,
    name: Annotated[Username, Query(description="A username (any case)")],
    cursor: Cursor = "",
    limit: PageSize = PAGE_SIZE,
):
    """A user's public summaries but the anonymous ones, newest edit first (their profile's list)."""
    person = User.objects.profile_named(name)
    if person is None:
        raise Http404(f"There is no user called “{name}”.")
    summaries = Summary.objects.filter(author=person, is_anonymous=False)
    return summary_page(summaries, request, cursor=cursor, limit=limit)
