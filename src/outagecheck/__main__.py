"""Entry point for the console script and `python -m outagecheck`: answers --version and --help before typer loads."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from types import TracebackType

SOFTWARE = 70  # ExitCode.SOFTWARE; model.py is not imported before the handlers below are in place
IO_ERROR = 74  # ExitCode.IO_ERROR
INTERRUPTED = 130  # ExitCode.INTERRUPTED
GRACE_S = 3.0  # after Ctrl-C, the longest outagecheck takes to clean up (a rollback fsyncs) before it is ended
ISSUES = "https://github.com/outagecheck/outagecheck/issues"
# These commands run for minutes or days and make garbage each check: the collector stays on for them.
LONG_RUNNING = frozenset({"wait", "watch"})


def main() -> None:
    """Run the CLI; `outagecheck --version` alone is answered without importing typer, httpx or rich."""
    # Ctrl-C at any moment, imports included, ends with one line and 130; a bug ends with one line and 70.
    sys.excepthook = _last_resort
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        _usable_streams()
        if sys.argv[1:] == ["--version"]:
            from outagecheck import __version__  # noqa: PLC0415  # --version answers before typer loads

            try:
                sys.stdout.write(f"outagecheck {__version__}\n")
                sys.stdout.flush()
            except OSError:
                _say("outagecheck: error: cannot write to stdout")
                _exit(IO_ERROR)
            return
        from outagecheck.cli.pages import page_for  # noqa: PLC0415  # os and sys only: --help without typer

        if (page := page_for(sys.argv[1:])) is not None:
            try:
                sys.stdout.write(page)
                sys.stdout.flush()
            except BrokenPipeError:  # `outagecheck --help | head`: the reader left, that is fine
                _exit(0)
            except OSError:
                _say("outagecheck: error: cannot write to stdout")
                _exit(IO_ERROR)
            _exit(0)
        if sys.argv[1:2] == ["statusline"]:  # Claude Code runs it on every prompt update: < 30 ms, no typer
            from outagecheck.cli.statusline import main as statusline  # noqa: PLC0415  # before typer loads

            _exit(statusline(sys.argv[2:]))
        # Collecting during the imports only costs time (benchmarks/): off while they run, then every
        # object they made is frozen out of later collections (gc.freeze).
        gc.disable()
        from outagecheck.cli.fast import run  # noqa: PLC0415  # status and wait without typer (cli/flags.py)

        gc.freeze()
        if not LONG_RUNNING.isdisjoint(sys.argv[1:2]):
            gc.enable()  # without it wait/watch grow ~64 KB a check (reference cycles in httpx and asyncio)
        if (fast := run(sys.argv[1:])) is not None:
            _exit(fast)
        from outagecheck.cli.app import app  # noqa: PLC0415  # only for what the fast paths leave

        gc.freeze()  # typer's objects too
        # prog_name keeps `python -m outagecheck` on the same completion variable as the console script.
        code = app(prog_name="outagecheck", standalone_mode=False)
        _exit(code if isinstance(code, int) else 0)
    except KeyboardInterrupt:
        _say("outagecheck: interrupted")
        _exit(INTERRUPTED)
    except Exception as e:  # the last resort: a bug; everything expected is an OutagecheckError (cli/app.py)
        _last_resort(type(e), e, e.__traceback__)


def _on_sigint(signum: int, frame: object) -> None:
    """Ctrl-C: raise KeyboardInterrupt as Python would (typer and the writers clean up on it), and start a
    watchdog that ends the process if it is still running GRACE_S later: an `except:` somewhere in a
    library being imported can swallow the KeyboardInterrupt, and then the run would go on to its deadline."""
    watchdog = threading.Timer(GRACE_S, _interrupted_hard)
    watchdog.daemon = True
    watchdog.start()
    raise KeyboardInterrupt


def _interrupted_hard() -> None:
    _say("outagecheck: interrupted")
    os._exit(INTERRUPTED)


def _usable_streams() -> None:
    """Give a closed stdin, stdout or stderr (`>&-`) a stand-in, so no write or read meets None (a write
    to the closed stdout fails: exit 74). Text that can't be encoded (PYTHONIOENCODING=ascii) becomes '?'."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115  # lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # lives as long as the process
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


class _ClosedStdout:
    """sys.stdout when fd 1 was closed: every write fails as a write to a closed descriptor does."""

    encoding = "utf-8"
    errors = "replace"

    def write(self, text: str) -> int:
        raise OSError(9, "stdout is closed")

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(9, "stdout is closed")


def _last_resort(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """One line and exit 70 for an exception nothing expected; Ctrl-C is 130 here too."""
    if issubclass(kind, KeyboardInterrupt):
        _say("outagecheck: interrupted")
        _exit(INTERRUPTED)
    text = " ".join(str(error).split())[:200] or "no message"
    _say(f"outagecheck: internal error: {kind.__name__}: {_redacted(text)}; please report it at {ISSUES}")
    _exit(SOFTWARE)


def _redacted(text: str) -> str:
    try:
        from outagecheck.errors import printable, redact  # noqa: PLC0415  # the last resort must not fail to import

        return printable(redact(text))
    except Exception:  # even a broken install gets its one line, without the message
        return "(message withheld)"


def _say(line: str) -> None:
    """The last words (interrupted, internal error): written straight to stderr's descriptor, so a
    stream that a Ctrl-C left mid-write (or mid-reconfigure) cannot swallow them."""
    stream = sys.stderr
    with contextlib.suppress(Exception):
        stream.flush()  # what is already buffered goes first
    data = (line + "\n").encode(getattr(stream, "encoding", None) or "utf-8", "replace")
    try:
        os.write(stream.fileno(), data)
    except Exception:  # no descriptor (a stand-in stream), or stderr closed or full: try the stream itself
        with contextlib.suppress(Exception):
            stream.write(line + "\n")
            stream.flush()


def _exit(code: int) -> None:
    """Flush and leave without tearing the interpreter down: finalising httpx, asyncio and rich
    modules takes ~75 ms on every run and does nothing we need (files are closed by now)."""
    # A late Ctrl-C must not turn into a traceback between here and os._exit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `outagecheck status | head -1`: the reader left, that is fine
        pass
    except (OSError, ValueError):
        _say("outagecheck: error: cannot write the report to stdout")
        code = IO_ERROR
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
