"""A banned user's session ends with the ban (summaries.services.user_banned_set ends every session allauth
recorded); this catches the rest (a session from before sessions were recorded, a request already under way when
the ban committed): a banned user who is still logged in is logged out at their next request, whatever it is
(GET or POST, any page), and answered 403 "This account is suspended" in the site's layout."""

from django.conf import settings
from django.contrib.auth import logout

from summaries.limits import account_is_suspended, suspended_page


class SuspendedAccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is logged in: the session is not even read (no Vary: Cookie added).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and account_is_suspended(request.user):
            logout(request)
            return suspended_page(request)
        return self.get_response(request)
