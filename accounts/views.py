from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from shortscience import page_cache
from shortscience.pagination import CountedPaginator
from shortscience.params import int_param, text_param
from summaries.limits import refuse_suspended
from summaries.models import Summary

from .forms import ProfileForm
from .models import User

PROFILE_PAGE_SIZE = 20
PROFILE_PAGE_MAX = 100_000  # ?page=: past anyone's last page (the paginator shows the last one)
LEADERBOARD_SIZE = 1000


def profile_name(request) -> str:
    """?name=: a username (no user has one longer than the column)."""
    return text_param(request.GET, "name", max_length=User._meta.get_field("username").max_length, status=404)


def _profile_scopes(request):
    return [page_cache.scope("user", profile_name(request).lower())]


@require_safe
@page_cache.cache_for_anonymous(_profile_scopes)
def profile(request):
    """/user?name=U: display name, bio, score and the user's public, non-anonymous summaries."""
    name = profile_name(request)
    if not name:
        if request.user.is_authenticated:
            return redirect(request.user.get_absolute_url())
        return redirect(reverse("account_login") + "?next=/user")
    person = User.objects.filter(username__iexact=name, is_banned=False).first()
    if person is None:
        raise Http404(f"There is no user called “{name}”.")
    is_self = request.user.is_authenticated and request.user.pk == person.pk
    stats = Summary.objects.profile_stats(person)
    summaries = Summary.objects.for_profile(person, request.user)
    if is_self:  # their private and anonymous summaries too: counted
        paginator = Paginator(summaries, PROFILE_PAGE_SIZE)
    else:  # the public, signed ones: as many as the stored stats say
        paginator = CountedPaginator(summaries, PROFILE_PAGE_SIZE, count=stats["count"])
    page = paginator.get_page(
        int_param(request.GET, "page", default=1, min_value=1, max_value=PROFILE_PAGE_MAX, status=404)
    )
    page_query = urlencode({"name": person.username})
    context = {"person": person, "page": page, "stats": stats, "is_self": is_self, "page_query": page_query}
    return render(request, "accounts/user_detail.html", context)


@require_safe
@page_cache.cache_for_anonymous(lambda request: [page_cache.LISTS])
def leaderboard(request):
    """/users: people with public summaries, by average score per summary (the original's 'sciscore')."""
    people = User.objects.leaderboard()[:LEADERBOARD_SIZE]
    return render(request, "accounts/user_list.html", {"people": people})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@refuse_suspended
def settings_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            page_cache.invalidate(page_cache.SITE)  # the name shown beside their summaries and comments
            messages.success(request, "Your settings were saved.")
            return redirect("accounts:settings")
        messages.error(request, "Your settings were not saved: see the problems below.")
    return render(request, "accounts/user_settings.html", {"form": form}, status=400 if form.errors else 200)
