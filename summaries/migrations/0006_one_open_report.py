# One open report per reporter and target (summaries.Report's two conditional unique constraints). Older open
# duplicates are resolved first, so the constraints can be built: of each reporter's open reports on one target,
# the newest stays open (the moderators' queue keeps one row, with the latest details).

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def resolve_duplicates(apps, schema_editor):
    db = schema_editor.connection.alias
    Report = apps.get_model("summaries", "Report")
    now = timezone.now()
    for target in ("summary", "comment"):
        open_reports = Report.objects.using(db).filter(resolved_at__isnull=True, **{f"{target}__isnull": False})
        groups = (
            open_reports.order_by().values("reporter_id", f"{target}_id").annotate(n=Count("pk")).filter(n__gt=1)
        )
        for group in groups:
            rows = open_reports.filter(reporter_id=group["reporter_id"], **{f"{target}_id": group[f"{target}_id"]})
            newest = rows.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
            rows.exclude(pk=newest).update(resolved_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0005_summary_author_nullable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True), ("summary__isnull", False)),
                fields=("reporter", "summary"),
                name="one_open_report_per_summary",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("comment__isnull", False), ("resolved_at__isnull", True)),
                fields=("reporter", "comment"),
                name="one_open_report_per_comment",
            ),
        ),
    ]
