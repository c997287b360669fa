from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("user", views.profile, name="profile"),
    path("users", views.leaderboard, name="list"),
    path("settings", views.settings_view, name="settings"),
    path("settings/delete", views.account_delete_view, name="delete"),
]
