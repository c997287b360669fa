"""Accounts in the admin: ban and unban (the `accounts.ban_user` permission, which the Moderators group has: a
moderator sees a user's page read-only and cannot touch staff flags, groups or permissions), and a moderator's view
of one person: their latest summaries, comments, reports made and reports received, with links."""

from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from shortscience.admin_actions import action_log
from summaries import services as summary_services
from summaries.models import Comment, Report, Summary

from . import services as account_services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User

RECORD_ROWS = 10  # of each list on a user's page; the rest are a click away (the changelist, filtered)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ("username", "email", "display_name", "is_banned", "is_staff", "date_joined")
    list_filter = ("is_banned", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("ShortScience", {"fields": ("display_name", "bio", "orcid", "email_on_comment", "is_banned")}),
        ("Moderation", {"fields": ("moderation_record",)}),
    )
    readonly_fields = ("moderation_record",)
    actions = ["ban", "unban"]
    ordering = ("-date_joined", "-pk")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "is_banned" in form.changed_data:  # their summaries and comments leave (or rejoin) the public ones
            summary_services.user_banned_set(users=User.objects.filter(pk=obj.pk), is_banned=obj.is_banned)

    def delete_model(self, request, obj):
        summary_services.users_delete(users=User.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        summary_services.users_delete(users=queryset)

    def has_ban_permission(self, request):
        return request.user.has_perm("accounts.ban_user")

    @admin.action(description="Ban the selected users", permissions=["ban"])
    def ban(self, request, queryset):
        users = list(queryset)
        count = summary_services.user_banned_set(users=queryset, is_banned=True)
        action_log(request, users, "Banned.")
        self.message_user(request, f"{count} users banned.", messages.SUCCESS)

    @admin.action(description="Unban the selected users", permissions=["ban"])
    def unban(self, request, queryset):
        users = list(queryset)
        count = summary_services.user_banned_set(users=queryset, is_banned=False)
        action_log(request, users, "Unbanned.")
        self.message_user(request, f"{count} users unbanned.", messages.SUCCESS)

    @admin.display(description="Their record")
    def moderation_record(self, obj):
        """Their latest summaries, comments, reports made and reports received (on their content), each with a
        link to all of them: eight queries, whoever it is."""
        if obj.pk is None:
            return "—"
        received = Report.objects.on_content_of(obj).select_related("reporter")

        def listed(model, **params):
            return reverse(f"admin:summaries_{model}_changelist") + "?" + urlencode(params)

        sections = [
            (
                "Summaries",
                Summary.objects.filter(author=obj).count(),
                Summary.objects.filter(author=obj)
                .select_related("paper", "author")
                .order_by("-edited_at", "-pk")[:RECORD_ROWS],
                listed("summary", author__id__exact=obj.pk),
            ),
            (
                "Comments",
                Comment.objects.filter(author=obj).count(),
                Comment.objects.filter(author=obj)
                .select_related("summary__paper", "summary__author")
                .order_by("-created_at", "-pk")[:RECORD_ROWS],
                listed("comment", author__id__exact=obj.pk),
            ),
            (
                "Reports made",
                Report.objects.filter(reporter=obj).count(),
                Report.objects.filter(reporter=obj).for_queue().order_by("-created_at", "-pk")[:RECORD_ROWS],
                listed("report", reporter__id__exact=obj.pk),
            ),
            ("Reports received", received.count(), received[:RECORD_ROWS], listed("report", q=obj.username)),
        ]
        return render_to_string("admin/accounts/_user_record.html", {"person": obj, "sections": sections})


class EmailAddressAdmin(allauth_admin.EmailAddressAdmin):
    """allauth's page of addresses, keeping each account's confirmation (accounts.services.user_confirmed_refresh)
    when an address is added, edited, marked verified or deleted here: what the account wrote becomes public, or
    stops being, as when its owner confirms or removes an address."""

    def save_model(self, request, obj, form, change):
        before = EmailAddress.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        self._refresh([obj.user_id, before])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._refresh([obj.user_id])

    def delete_queryset(self, request, queryset):
        user_ids = list(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        self._refresh(user_ids)

    def make_verified(self, request, queryset):
        user_ids = list(queryset.values_list("user_id", flat=True))
        super().make_verified(request, queryset)
        self._refresh(user_ids)

    make_verified.short_description = allauth_admin.EmailAddressAdmin.make_verified.short_description

    @staticmethod
    def _refresh(user_ids) -> None:
        for user in User.objects.filter(pk__in={pk for pk in user_ids if pk}):
            account_services.user_confirmed_refresh(user=user)


admin.site.unregister(EmailAddress)
admin.site.register(EmailAddress, EmailAddressAdmin)
