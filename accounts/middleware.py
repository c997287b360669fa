"""A ban ends the user's sessions at once: summaries.services.user_banned_set logs out every session allauth
recorded, leaving a mark so that its next request is answered "This account is suspended" (once). This also catches
the rest (a session from before sessions were recorded, a request under way when the ban committed): a banned user
who is still logged in is logged out at their next request, whatever it is (GET or POST, any page), and answered
403 "This account is suspended" in the site's layout."""

from django.conf import settings
from django.contrib.auth import logout

from summaries.limits import SUSPENDED_SESSION_KEY, account_is_suspended, suspended_page


class SuspendedAccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is logged in: the session is not even read (no Vary: Cookie added).
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            if account_is_suspended(request.user):
                logout(request)
                return suspended_page(request)
            if request.session.get(SUSPENDED_SESSION_KEY):  # a session the ban ended: say why, once
                request.session.flush()
                return suspended_page(request)
        return self.get_response(request)
