from django.urls import path
from django.views.decorators.http import require_safe

from shortscience import page_cache

from . import feeds, views


def _user_scopes(request):
    return [page_cache.scope("user", request.GET.get("name", "").lower())]


app_name = "accounts"

urlpatterns = [
    path("user", views.profile, name="profile"),
    path("user/bibtex", views.profile_bibtex, name="bibtex"),
    path("user/atom", require_safe(page_cache.cache_for_anonymous(_user_scopes)(feeds.UserAtom())), name="atom"),
    path("users", views.leaderboard, name="list"),
    path("settings", views.settings_view, name="settings"),
    path("settings/delete", views.account_delete_view, name="delete"),
]
