from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("", views.home, name="home"),
    path("paper", views.paper_detail, name="paper"),
    path("random", views.random_summary, name="random"),
    path("search", views.search, name="search"),
    path("export", views.export, name="export"),
    path("report", views.report_create, name="report"),
    path("summary/preview", views.summary_preview, name="preview"),
    path("summary/save/<int:paper_id>", views.summary_save, name="save"),
    path("summary/<int:summary_id>/delete", views.summary_delete, name="delete"),
    path("summary/<int:summary_id>/revisions", views.summary_revisions, name="revisions"),
    path("summary/<int:summary_id>/vote", views.summary_vote, name="vote"),
    path("summary/<int:summary_id>/comments", views.comment_create, name="comment-create"),
    path("comment/<int:comment_id>/delete", views.comment_delete, name="comment-delete"),
]
