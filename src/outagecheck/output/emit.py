"""Where a finished report goes: stdout in the chosen format, and GitHub Actions' files when in a workflow."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console

from outagecheck.errors import OutputError, WriteError, redact, scrub
from outagecheck.model import Report
from outagecheck.output import github, markdown, nagios, table
from outagecheck.output.json import to_json


class _Console(Console):
    """rich's Console exits 1 on a broken pipe; here the reader leaving only stops the output."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _silence_stdout()


def _silence_stdout() -> None:
    # Python's advice for SIGPIPE: point stdout at /dev/null so the final flush can't fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def emit(report: Report, fmt: str, *, verbose: bool = False, console: Console | None = None) -> None:
    """Print the report on stdout; in GitHub Actions, also annotate, summarise and set step outputs.

    A reader that leaves early (`outagecheck status | head -1`) is not an error: the exit code still
    says what the checks found.
    """
    report = scrub(report)  # the one pass that keeps every secret out of every format and file below
    try:
        _print(report, fmt, verbose, console)
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as e:  # stdout closed (`>&-`) or full (/dev/full); ValueError: a closed file
        raise OutputError(f"cannot write the report to stdout: {getattr(e, 'strerror', None) or e}") from None
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github_actions(report, machine_stdout=fmt in ("json", "nagios"))


def _print(report: Report, fmt: str, verbose: bool, console: Console | None) -> None:
    if fmt == "json":
        sys.stdout.write(to_json(report) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(markdown.to_markdown(report))
    elif fmt == "nagios":
        sys.stdout.write(nagios.to_nagios(report))
    else:
        table.print_report(report, console or _Console(), verbose=verbose)
    sys.stdout.flush()


def github_actions(report: Report, *, machine_stdout: bool) -> None:
    """Annotations, the Markdown step summary and the step outputs (docs: 'Workflow commands')."""
    # Workflow commands are read from stdout and stderr alike; keep them off a machine-read stdout.
    stream = sys.stderr if machine_stdout else sys.stdout
    try:
        stream.write(github.github_annotations(report))
        stream.flush()
    except BrokenPipeError:
        pass  # the reader left; the step files below still matter
    except (OSError, ValueError) as e:
        raise OutputError(f"cannot write the annotations: {getattr(e, 'strerror', None) or e}") from None
    _append("GITHUB_STEP_SUMMARY", markdown.to_markdown(report))
    _append("GITHUB_OUTPUT", github.github_outputs(report))


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if not target:
        return
    try:
        with Path(target).open("a", encoding="utf-8") as f:
            f.write(redact(text))
    except OSError as e:
        raise WriteError(f"${variable} ({target}): cannot append: {e.strerror or e}") from None
