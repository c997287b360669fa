import time

from allauth.account import app_settings as allauth_settings
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from papers.citations import papers_bibtex
from papers.models import Paper
from shortscience import page_cache
from shortscience.pagination import CountedPaginator
from shortscience.params import int_param, text_param
from shortscience.ratelimit import rate_limit_hit
from summaries.limits import refuse_suspended
from summaries.models import Summary

from . import services
from .forms import AccountDeleteForm, ProfileForm
from .models import User

PROFILE_PAGE_SIZE = 20
PROFILE_PAGE_MAX = 100_000  # ?page=: past anyone's last page (the paginator shows the last one)
LEADERBOARD_SIZE = 1000
PROFILE_BIBTEX_MAX = 10_000  # papers in a profile's .bib (more than anyone has summarised)


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
    person = User.objects.profile_named(name)
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
    context["jsonld"] = profile_json_ld(person, stats)
    return render(request, "accounts/user_detail.html", context)


def profile_json_ld(person, stats) -> dict:
    """The profile as a schema.org ProfilePage about a Person, for its JSON-LD block."""
    url = settings.SITE_URL + person.get_absolute_url()
    about = {"@type": "Person", "name": person.public_name, "alternateName": person.username, "url": url}
    if person.bio:
        about["description"] = person.bio[:500]
    if person.orcid:
        about["sameAs"] = f"https://orcid.org/{person.orcid}"
    data = {"@context": "https://schema.org", "@type": "ProfilePage", "url": url, "mainEntity": about}
    if stats["count"]:
        about["interactionStatistic"] = {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/WriteAction",
            "userInteractionCount": stats["count"],
        }
    return data


@require_safe
def profile_bibtex(request):
    """/user/bibtex?name=U: the papers of U's public, signed summaries as one .bib file, newest summary first."""
    name = profile_name(request)
    person = User.objects.profile_named(name)
    if person is None:
        raise Http404(f"There is no user called “{name}”.")
    summaries = Summary.objects.public().filter(author=person, is_anonymous=False)
    paper_ids = list(summaries.order_by("-edited_at").values_list("paper_id", flat=True)[:PROFILE_BIBTEX_MAX])
    papers = Paper.objects.with_authors().in_bulk(paper_ids)
    text = papers_bibtex([papers[pk] for pk in paper_ids if pk in papers], site_url=settings.SITE_URL)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{person.username}-shortscience.bib"'
    return response


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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@refuse_suspended
def account_delete_view(request):
    """/settings/delete: leaving, with the password (an account without one logs in again with its provider
    first: social_login_recent); the summaries stay, anonymous, or are deleted, as the user chooses. Password
    attempts are limited per account (ACCOUNT_DELETE_RATE_LIMIT)."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    context = {
        "form": form,
        "log_in_again": not request.user.has_usable_password() and not social_login_recent(request),
    }
    if context["log_in_again"]:
        context["social_accounts"] = list(request.user.socialaccount_set.all())
        if request.method == "POST":
            messages.error(request, "Log in again with your provider first: your account was not deleted.")
            return render(request, "accounts/user_confirm_delete.html", context, status=403)
    if request.method == "POST":
        if "password" in form.fields:
            wait = rate_limit_hit("account-delete", str(request.user.pk), rate=settings.ACCOUNT_DELETE_RATE_LIMIT)
            if wait:
                messages.error(
                    request,
                    f"Too many attempts: try again in {max(1, wait // 60)} minute{'s' if wait > 60 else ''}."
                    " Your account was not deleted.",
                )
                return render(request, "accounts/user_confirm_delete.html", context, status=429)
        if form.is_valid():
            services.account_delete(user=request.user, keep_summaries=form.keep_summaries)
            logout(request)
            messages.success(request, "Your account was deleted. Thank you for the summaries you wrote.")
            return redirect("/")
    return render(request, "accounts/user_confirm_delete.html", context, status=400 if form.errors else 200)


def social_login_recent(request) -> bool:
    """Whether this session logged in with a provider within ACCOUNT_REAUTHENTICATION_TIMEOUT: how an account
    without a password says it is its owner (allauth's reauthentication asks for a password or a code)."""
    records = get_authentication_records(request, request.user)
    times = [record.get("at", 0) for record in records if record.get("method") == "socialaccount"]
    return bool(times) and time.time() - max(times) < allauth_settings.REAUTHENTICATION_TIMEOUT
