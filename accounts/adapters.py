from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.http import Http404

from shortscience.ratelimit import client_address
from summaries.limits import suspended_page

from . import services
from .models import orcid_validator, username_validate
from .usernames import username_fold


class AccountAdapter(DefaultAccountAdapter):
    """Banned users cannot log in, by any path: every allauth log-in (password, a confirmation link that logs in, a
    password reset, social log-in: allauth runs them all through `pre_login`) is refused with the "This account
    is suspended" page (403). The admin's log-in is this one (shortscience/admin_site.py).

    Failed log-ins are limited three ways (settings.ACCOUNT_RATE_LIMITS): allauth's `login_failed` per client and
    per client and account together (its "key", made so here), so a stranger's wrong passwords lock out only that
    stranger; and `login_failed_account`, the account's cap from every client, high enough that locking the owner
    out takes many addresses. A password reset clears the account's counts: the owner's way back in."""

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "is_banned", False):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return suspended_page(request)
        return super().pre_login(request, user, **kwargs)

    def clean_username(self, username, shallow=False):
        """allauth's checks (the username field's validators; taken in any case), then the name's fold."""
        username = super().clean_username(username, shallow=shallow)
        if not shallow:
            username_validate(username)
        return username

    def login_account(self, **credentials) -> str:
        """The account a log-in names, however it is spelt: a username folded (any case, look-alike letters), or
        an address of the account (an address no account has stands for itself)."""
        if "email" in credentials:
            users = filter_users_by_email(credentials["email"])
            if not users:
                return "email:" + credentials["email"].casefold()
            credentials = {"username": users[0].username}
        return "username:" + username_fold(credentials.get("username", ""))

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth's key for the "key" rates of `login_failed`: this client and this account."""
        return f"{client_address(request)} {self.login_account(**credentials)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)  # `login_failed`: this client; this client and account
        account_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed_account", key=self.login_account(**credentials)
        )
        if not account_usage:
            self._rollback_login_failed_rl_usage()  # the password was not tried: the client's counts stay
            raise self.validation_error("too_many_login_attempts")
        self._login_failed_rl_usage.usage.extend(account_usage.usage)  # rolled back together on success

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """After a successful password reset: this client's counts and the account's cap start again."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        key = self.login_account(**credentials)
        ratelimit.clear(request, app="allauth.account", action="login_failed_account", key=key)

    def confirm_email(self, request, email_address) -> bool:
        """allauth marks the address verified (and, as ACCOUNT_CHANGE_EMAIL has it, makes it the account's only
        one); then what the account wrote may become public (accounts.services.user_confirmed_refresh)."""
        confirmed = super().confirm_email(request, email_address)
        services.user_confirmed_refresh(user=email_address.user)
        return confirmed


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Social log-in (GitHub, Google, ORCID: settings.SOCIALACCOUNT_PROVIDERS): a banned account is refused as on
    the log-in form (the account adapter's pre_login); a sign-up with an address the provider verified is
    confirmed at once; an ORCID sign-up fills the profile's ORCID iD. Outbound requests go through
    `get_requests_session`, which tests replace with recorded responses."""

    def get_app(self, request, provider, client_id=None):
        """The provider's app from SOCIALACCOUNT_PROVIDERS; a provider whose keys are not set is not found (404)
        rather than an error."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as exc:
            raise Http404("This way of logging in is not offered here.") from exc

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        account = sociallogin.account
        if account.provider == "orcid" and not user.orcid:
            orcid = account.uid
            try:
                orcid_validator(orcid)
            except ValidationError:
                pass
            else:
                user.orcid = orcid
                user.save(update_fields=["orcid"])
        services.user_confirmed_refresh(user=user)
        return user
