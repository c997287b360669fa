"""Running management commands in tests."""

from io import StringIO

from django.core.management import CommandError, call_command


def run_command(name: str, *args, **options) -> tuple[str, str, int]:
    """Run the management command `name`; returns (stdout, stderr, exit status). A CommandError is not raised:
    its message is added to stderr and its returncode is the status."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err, **options)
        status = 0
    except CommandError as exc:
        err.write(str(exc))
        status = exc.returncode
    return out.getvalue(), err.getvalue(), status
