from django.urls import path

from . import views

app_name = "papers"

urlpatterns = [
    path("venue", views.venue_page, name="venue"),
    path("paper/bibtex", views.paper_bibtex_view, name="bibtex"),
]
