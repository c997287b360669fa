"""The admin site: Django's, but its log-in page is allauth's, so there is one log-in form with one set of rate
limits (accounts/adapters.py). Django's own form at /admin/login/ checked passwords with no limit at all."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Active staff who are not banned: a banned staff member's session (one that outlived the ban) opens no
        admin page and runs no action."""
        return super().has_permission(request) and not getattr(request.user, "is_banned", False)

    def login(self, request, extra_context=None):
        """/admin/login/ checks no password (a POST is answered like a GET): staff go on to `next`, other
        logged-in users are told they have no access (a redirect to the log-in page would send them back here),
        visitors go to allauth's log-in page with `next` kept."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = index
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)  # a URL, never a view name (redirect("ab") would look one up)
        if request.user.is_authenticated:
            context = {**self.each_context(request), "title": "No access", "next_url": next_url}
            return render(request, "admin/login_refused.html", context, status=403)
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
