from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from summaries import services as summary_services

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User


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
    )
    actions = ["ban", "unban"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "is_banned" in form.changed_data:  # their summaries and comments leave (or rejoin) the public ones
            summary_services.user_banned_set(users=User.objects.filter(pk=obj.pk), is_banned=obj.is_banned)

    def delete_model(self, request, obj):
        summary_services.users_delete(users=User.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        summary_services.users_delete(users=queryset)

    @admin.action(description="Ban the selected users")
    def ban(self, request, queryset):
        self.message_user(request, f"{summary_services.user_banned_set(users=queryset, is_banned=True)} users banned.")

    @admin.action(description="Unban the selected users")
    def unban(self, request, queryset):
        count = summary_services.user_banned_set(users=queryset, is_banned=False)
        self.message_user(request, f"{count} users unbanned.")
