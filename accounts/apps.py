from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import email_changed, email_removed

        from .services import user_confirmed_refresh

        def email_moved(sender, user, **kwargs):
            """allauth has no adapter method for these two: a removed or changed address may leave the account
            without a verified one."""
            user_confirmed_refresh(user=user)

        email_removed.connect(email_moved, dispatch_uid="accounts.email_removed")
        email_changed.connect(email_moved, dispatch_uid="accounts.email_changed")

        # The admin lists people's linked providers (SocialAccount), not their tokens (secrets) nor SocialApps
        # (the providers' keys come from the environment: settings.SOCIALACCOUNT_PROVIDERS). The admin's
        # autodiscovery has run: its AppConfig comes first in INSTALLED_APPS.
        from allauth.socialaccount.models import SocialApp, SocialToken
        from django.contrib import admin

        for model in (SocialApp, SocialToken):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
