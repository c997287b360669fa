"""How the import commands end (a module name starting with _ is not a command)."""

from django.core.management.base import CommandError

from papers.services import ImportResult


def finish_import(command, result: ImportResult, *, dry_run: bool = False) -> None:
    """Each skipped item on stderr, the summary line on stdout, and exit status 1 when anything was skipped
    (the good items are imported by then)."""
    for problem in result.skipped:
        command.stderr.write(f"skipped {problem}")
    command.stdout.write(("Dry run, nothing written: " if dry_run else "") + result.summary())
    if result.skipped:
        raise CommandError(f"{len(result.skipped)} skipped (listed above)", returncode=1)
