from django.shortcuts import render

from papers.models import Paper


def home(request):
    """Homepage. Until summaries exist it shows the newest papers in the catalogue."""
    papers = Paper.objects.with_authors().order_by("-published", "-created_at")[:10]
    return render(request, "summaries/home.html", {"papers": papers})
