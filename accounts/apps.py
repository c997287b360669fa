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
