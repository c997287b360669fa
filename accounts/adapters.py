from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Banned users are treated as inactive: allauth refuses the log-in and shows its 'inactive' page."""

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "is_banned", False):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)
