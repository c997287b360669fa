"""How the import commands end (a module name starting with _ is not a command)."""

from django.core.management.base import CommandError

from papers.importers.records import ImportProblem
from papers.services import ImportResult


def problem_line(problem: ImportProblem) -> str:
    """ "skipped KEY: why", or "kept KEY: what was changed" for an entry stored after all."""
    return f"{'kept' if problem.kept else 'skipped'} {problem}"


def finish_import(command, result: ImportResult, *, dry_run: bool = False) -> None:
    """Each skipped item (and each stored but changed to fit) on stderr, the summary line on stdout, and exit
    status 1 when anything was skipped (the good items are imported by then)."""
    for problem in [*result.skipped, *result.notes]:
        command.stderr.write(problem_line(problem))
    command.stdout.write(("Dry run, nothing written: " if dry_run else "") + result.summary())
    if result.skipped:
        raise CommandError(f"{len(result.skipped)} skipped (listed above)", returncode=1)
