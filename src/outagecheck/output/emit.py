"""Where a finished report goes: stdout (or --output FILE) in the chosen format, and GitHub Actions' files in
a workflow. Machine formats never load rich: only the table does."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from outagecheck.errors import OutputError, WriteError, redact, scrub
from outagecheck.model import Report
from outagecheck.output.json import to_json

if TYPE_CHECKING:
    from rich.console import Console


def _silence_stdout() -> None:
    # Python's advice for SIGPIPE: point stdout at /dev/null so the final flush can't fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _set(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "") not in ("", "0")


def wants_colour(environ: Mapping[str, str], is_terminal: bool) -> bool:
    """Colour or not, by the conventions, first match wins:

    NO_COLOR set (https://no-color.org) → no; FORCE_COLOR or CLICOLOR_FORCE set and not 0
    (https://force-color.org, https://bixense.com/clicolors/) → yes, even into a pipe; CLICOLOR=0 → no;
    TERM=dumb → no; otherwise only on a terminal.
    """
    if environ.get("NO_COLOR", ""):
        return False
    if _set(environ, "FORCE_COLOR") or _set(environ, "CLICOLOR_FORCE"):
        return True
    if environ.get("CLICOLOR") == "0" or environ.get("TERM") == "dumb":
        return False
    return is_terminal


def make_console(environ: Mapping[str, str] | None = None, file: TextIO | None = None) -> Console:
    """The console for people (table, watch), built inside the command so the environment applies."""
    from rich.console import Console  # noqa: PLC0415  # machine formats never load rich

    class _Console(Console):
        """rich's Console exits 1 on a broken pipe; here the reader leaving only stops the output."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            _silence_stdout()

    env = os.environ if environ is None else environ
    stream = file or sys.stdout
    colour = wants_colour(env, stream.isatty())
    # No `:code:` emoji: none of our words has one, and replacing them loads rich's 3,600 codes (~4 ms).
    if colour:
        # Forced colour into a pipe: a terminal's styles, with the width rich would find anyway.
        return _Console(file=stream, force_terminal=True, no_color=False, emoji=False)
    return _Console(file=stream, no_color=True, color_system=None, emoji=False)


def render(report: Report, fmt: str) -> str:
    """A machine format as text: json, markdown, nagios or prometheus."""
    if fmt == "json":
        return to_json(report) + "\n"
    # Each format loads when chosen: `status --json` pays for no other (~2 ms of imports a run).
    if fmt == "markdown":
        from outagecheck.output import markdown  # noqa: PLC0415  # loaded only when chosen

        return markdown.to_markdown(report)
    if fmt == "nagios":
        from outagecheck.output import nagios  # noqa: PLC0415  # loaded only when chosen

        return nagios.to_nagios(report)
    if fmt == "prometheus":
        from outagecheck.output import prometheus  # noqa: PLC0415  # loaded only when chosen

        return prometheus.to_prometheus(report)
    raise ValueError(f"not a machine format: {fmt}")


def emit(
    report: Report,
    fmt: str,
    *,
    verbose: bool = False,
    console: Console | None = None,
    output: Path | None = None,
) -> None:
    """Print the report on stdout, or write it to `output` atomically; in GitHub Actions, also annotate,
    summarise and set step outputs.

    A reader that leaves early (`outagecheck status | head -1`) is not an error: the exit code still
    says what the checks found.
    """
    report = scrub(report)  # the one pass that keeps every secret out of every format and file below
    if output is not None:
        from outagecheck.safefile import write_output  # noqa: PLC0415  # only with --output

        # A scraper (node_exporter's textfile collector) sees the old file or the new one, never half.
        write_output(output, render(report, fmt).encode("utf-8"))
    else:
        with to_stdout(fenced=in_actions() and fmt in FENCED):
            _print(report, fmt, verbose, console)
    if in_actions():
        github_actions(report, machine_stdout=fmt in ("json", "nagios", "prometheus"))


# The formats for people, fenced in a workflow log: their lines wrap, and a wrapped line may begin with
# remote text. Machine formats are never fenced (a fence line would break their parsers); in them remote
# text never starts a line, and text.clean has folded its line breaks and defused `##[`.
FENCED = ("table", "markdown")


def in_actions() -> bool:
    """Running in a GitHub Actions step: the runner reads workflow commands from stdout and stderr."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


@contextmanager
def to_stdout(*, fenced: bool = False) -> Iterator[None]:
    """Write the report to stdout inside: fenced in a workflow log when asked; a reader that leaves early is
    no error; a closed or full stdout is an OutputError (exit 74)."""
    try:
        stop, resume = _fence() if fenced else ("", "")
        sys.stdout.write(stop)
        sys.stdout.flush()  # before rich's console writes to the stream itself
        try:
            yield
        finally:
            # Even when printing failed half-way: a runner left stopped would ignore the rest of the step.
            sys.stdout.write(resume)
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as e:  # stdout closed (`>&-`) or full (/dev/full); ValueError: a closed file
        raise OutputError(f"cannot write the report to stdout: {getattr(e, 'strerror', None) or e}") from None


def _print(report: Report, fmt: str, verbose: bool, console: Console | None) -> None:
    if fmt == "table":
        from outagecheck.output import table  # noqa: PLC0415  # rich loads for the table only

        table.print_report(report, console or make_console(), verbose=verbose)
    else:
        sys.stdout.write(render(report, fmt))


def _fence() -> tuple[str, str]:
    from outagecheck.output import github  # noqa: PLC0415  # only inside a GitHub Actions step

    return github.fence()


def github_actions(report: Report, *, machine_stdout: bool) -> None:
    """Annotations, the Markdown step summary and the step outputs (docs: 'Workflow commands')."""
    from outagecheck.output import github, markdown  # noqa: PLC0415  # only inside a GitHub Actions step

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
