"""The Moderators group: staff who moderate in the admin without being superusers. It holds exactly the permissions
the job needs (MODERATOR_PERMISSIONS): read everything moderation looks at, hide and restore summaries and comments,
resolve reports, ban and unban users, merge duplicate papers and fix their records and venues. Nothing else: no
deleting accounts or content, no groups, no permissions, no superuser or staff flags (a moderator sees a user's
page read-only, with the ban actions).

Created by the data migration accounts/0007_moderators_group; `moderators_group_sync` is what it runs, and it may
run again (tests do, after a flush) to put the group back as defined here."""

from django.contrib.auth.management import create_permissions

MODERATORS = "Moderators"

# (app label, permission codename).
MODERATOR_PERMISSIONS = [
    ("summaries", "view_summary"),
    ("summaries", "change_summary"),  # hide, restore, re-render
    ("summaries", "view_comment"),
    ("summaries", "change_comment"),  # hide, restore
    ("summaries", "view_report"),
    ("summaries", "change_report"),  # resolve with a verdict
    ("summaries", "view_vote"),
    ("papers", "view_paper"),
    ("papers", "change_paper"),
    ("papers", "merge_paper"),
    ("papers", "view_paperalias"),
    ("papers", "add_paperalias"),
    ("papers", "change_paperalias"),
    ("papers", "view_author"),
    ("papers", "view_venue"),
    ("papers", "change_venue"),
    ("papers", "view_work"),
    ("accounts", "view_user"),
    ("accounts", "ban_user"),
]


def moderators_group_sync(apps):
    """Create the Moderators group (and any of its permissions not created yet) with exactly
    MODERATOR_PERMISSIONS. `apps`: a migration's historical apps, or django.apps.apps."""
    for label in {label for label, _ in MODERATOR_PERMISSIONS}:
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # create_permissions skips apps without one
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    wanted = [
        Permission.objects.get(content_type__app_label=label, codename=codename)
        for label, codename in MODERATOR_PERMISSIONS
    ]
    group.permissions.set(wanted)
    return group
