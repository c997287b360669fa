from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("user", views.profile, name="profile"),
    path("user/bibtex", views.profile_bibtex, name="bibtex"),
    path("users", views.leaderboard, name="list"),
    path("settings", views.settings_view, name="settings"),
]
