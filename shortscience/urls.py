from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("", include("summaries.urls")),
    path("", include("papers.urls")),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),  # the JSON API: the apps' routers, joined in api.py
    path("admin/", admin.site.urls),
    path("about", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
]

handler400 = "shortscience.views.bad_request"
handler404 = "shortscience.views.page_not_found"
handler500 = "shortscience.views.server_error"
