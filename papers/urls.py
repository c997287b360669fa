from django.urls import path

from . import views

app_name = "papers"

urlpatterns = [
    path("paper", views.paper_detail, name="detail"),
    path("venue", views.venue, name="venue"),
    path("search", views.search, name="search"),
]
