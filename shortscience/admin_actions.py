"""What the moderation actions of the admin share: an intermediate page that asks for what an action needs (a
reason, a verdict, the paper to keep) before it runs, and the admin log every action writes."""

from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.template.response import TemplateResponse

APPLY = "apply"  # the field of the intermediate page's button: the action runs only when it is posted


def action_form(form_class, request, **kwargs):
    """The action's form: bound to the intermediate page's answer, unbound (its initial values) when the action
    was just chosen in the changelist."""
    return form_class(request.POST if APPLY in request.POST else None, **kwargs)


def action_page(model_admin, request, queryset, *, action: str, title: str, form, intro: str = "", rows=(), **extra):
    """The page between choosing `action` in a changelist and running it: the selected objects (`rows`: lines of
    safe HTML; their str by default), `intro`, the form and a button that posts everything back to the action."""
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "intro": intro,
        "form": form,
        "rows": list(rows) or [str(obj) for obj in queryset],
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "apply": APPLY,
        **extra,
    }
    return TemplateResponse(request, "admin/moderation_action.html", context)


def action_log(request, objects, message: str, *, deleted: bool = False) -> None:
    """One admin log entry per object (a change, or a deletion logged before it), in one INSERT."""
    objects = list(objects)
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=objects,
            action_flag=DELETION if deleted else CHANGE,
            change_message=message,
        )
