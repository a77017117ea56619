"""Entry point for the console script and `python -m outagecheck`: answers --version and --help before typer loads."""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads the name
if TYPE_CHECKING:
    from types import ModuleType, TracebackType

SOFTWARE = 70  # ExitCode.SOFTWARE; model.py is not imported before the handlers below are in place
IO_ERROR = 74  # ExitCode.IO_ERROR
INTERRUPTED = 130  # ExitCode.INTERRUPTED
REDELIVER_S = 0.01  # a Ctrl-C Python could not raise is sent again this much later (_unraisable)
GRACE_S = 3.0  # after Ctrl-C, the longest outagecheck takes to clean up (a rollback fsyncs) before it is ended
ISSUES = "https://github.com/outagecheck/outagecheck/issues"
# These commands run for minutes or days and make garbage each check: the collector stays on for them.
LONG_RUNNING = frozenset({"wait", "watch"})
# Set once main() has installed its Ctrl-C handler (after the instant answers: --version, --help pages
# and statusline import only os and sys, ~8 ms less than with signal, threading and contextlib; until
# then Python's own handler raises KeyboardInterrupt, which main() turns into its one line and 130).
_sigint_handled = False
_warnings: ModuleType | None = None  # set by _handle_sigint: the warnings module, whole


def main() -> None:
    """Run the CLI; `outagecheck --version` alone is answered without importing typer, httpx or rich."""
    # Ctrl-C at any moment, imports included, ends with one line and 130; a bug ends with one line and 70.
    _last_resorts()
    try:
        _usable_streams()
        if _instant(sys.argv[1:]):
            return
        if sys.argv[1:2] == ["statusline"]:  # Claude Code runs it on every prompt update: < 30 ms, no typer
            from outagecheck.cli.statusline import main as statusline  # noqa: PLC0415  # before typer loads

            _exit(statusline(sys.argv[2:]))
        _handle_sigint()
        # Collecting during the imports only costs time (benchmarks/): off while they run, then every
        # object they made is frozen out of later collections (gc.freeze).
        gc.disable()
        from outagecheck.cli.parse import EARLY, early_options  # noqa: PLC0415  # os, sys and cli/spec.py only

        if sys.argv[1:2] and sys.argv[1] in EARLY:
            # First thing: the CA bundle and the connections start on threads while the rest loads (httpx).
            from outagecheck.checks.early import start  # noqa: PLC0415  # standard library only

            start(early_options(sys.argv[1:]), os.environ)
        from outagecheck.cli.dispatch import fast  # noqa: PLC0415  # status and wait without typer (cli/parse.py)

        gc.freeze()
        if not LONG_RUNNING.isdisjoint(sys.argv[1:2]):
            gc.enable()  # without it wait/watch grow ~64 KB a check (reference cycles in httpx and asyncio)
        if (done := fast(sys.argv[1:])) is not None:
            _exit(done)
        from outagecheck.cli.app import app  # noqa: PLC0415  # only for what the fast paths leave

        gc.freeze()  # typer's objects too
        # prog_name keeps `python -m outagecheck` on the same completion variable as the console script.
        code = app(prog_name="outagecheck", standalone_mode=False)
        _exit(code if isinstance(code, int) else 0)
    except KeyboardInterrupt:
        _say("outagecheck: interrupted")
        _exit(INTERRUPTED)
    except Exception as e:  # the last resort: a bug; everything expected is an OutagecheckError (cli/dispatch.py)
        _last_resort(type(e), e, e.__traceback__)


def _last_resorts() -> None:
    """First thing: a bug is one line and 70 (_last_resort), and a Ctrl-C landing where Python can't raise it
    (an import's module-lock callback, say while _handle_sigint imports threading) is delivered again
    (_unraisable), not printed and lost."""
    sys.excepthook = _last_resort
    sys.unraisablehook = _unraisable


def _instant(argv: list[str]) -> bool:
    """Answer `--version` (True: main returns) or a stored `--help` page (the process ends here); False for
    anything else. Imports nothing beyond os and sys."""
    if argv == ["--version"]:
        from outagecheck import __version__  # noqa: PLC0415  # --version answers before typer loads

        try:
            sys.stdout.write(f"outagecheck {__version__}\n")
            sys.stdout.flush()
        except OSError:
            _say("outagecheck: error: cannot write to stdout")
            _exit(IO_ERROR)
        return True
    if not argv or argv[-1] not in ("--help", "-h"):
        return False  # cli/pages.py's first test, before importing it: every other command line skips it
    from outagecheck.cli.pages import page_for  # noqa: PLC0415  # os and sys only: --help without typer

    if (page := page_for(argv)) is not None:
        try:
            sys.stdout.write(page)
            sys.stdout.flush()
        except BrokenPipeError:  # `outagecheck --help | head`: the reader left, that is fine
            _exit(0)
        except OSError:
            _say("outagecheck: error: cannot write to stdout")
            _exit(IO_ERROR)
        _exit(0)
    return False


def _handle_sigint() -> None:
    """From here on a Ctrl-C also starts the watchdog (_on_sigint)."""
    global _sigint_handled  # one flag for _exit, set once
    global _warnings  # the module _on_sigint silences, imported whole before the handler exists
    import signal  # noqa: PLC0415  # not on the instant answers' path
    import threading  # noqa: PLC0415, F401  # whole before a Ctrl-C can land in its import (_on_sigint)
    import warnings  # noqa: PLC0415  # asyncio, httpx and typer load it anyway: only earlier

    _warnings = warnings
    signal.signal(signal.SIGINT, _on_sigint)
    _sigint_handled = True


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C that lands where Python can't raise it (a weakref callback, as an import's module lock
    runs) would be printed as "Exception ignored … KeyboardInterrupt" and lost: deliver it again instead,
    to be raised at the next ordinary line."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        import signal  # noqa: PLC0415  # loaded by _handle_sigint, or loaded here if it has not run yet
        import threading  # noqa: PLC0415  # loaded by then (the importer's locks)

        # From another thread, a moment later: raised here, in the hook, it would be lost the same way.
        again = threading.Timer(REDELIVER_S, os.kill, (os.getpid(), signal.SIGINT))
        again.daemon = True
        try:  # noqa: SIM105  # not contextlib.suppress: see _say
            again.start()
        except KeyboardInterrupt:  # another Ctrl-C while the timer starts: the timer still delivers one
            pass
        return
    sys.__unraisablehook__(unraisable)


def _on_sigint(signum: int, frame: object) -> None:
    """Ctrl-C: raise KeyboardInterrupt as Python would (typer and the writers clean up on it), and start a
    watchdog that ends the process if it is still running GRACE_S later: an `except:` somewhere in a
    library being imported can swallow the KeyboardInterrupt, and then the run would go on to its deadline."""
    import threading  # noqa: PLC0415  # loaded by _handle_sigint, before this handler was installed

    # The run is being torn down: what that leaves (a coroutine an interrupted task never awaited, a
    # transport closed by the collector) would print a RuntimeWarning or ResourceWarning with a source line
    # of httpcore's above our one line (seen once in ~120 sweeps, at 0.35 s). Nothing of it is the user's.
    # The module object kept by _handle_sigint, not an import here: a Ctrl-C landing while something else
    # imports `warnings` would find it half made (AttributeError, exit 70: seen at 0.016 s in a sweep).
    if _warnings is not None:
        _warnings.simplefilter("ignore")
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
    """One line and exit 70 for an exception nothing expected; Ctrl-C is 130 here too, however wrapped."""
    from outagecheck import interrupted  # noqa: PLC0415  # loaded with this module: nothing to import

    if interrupted(error):
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
    try:  # noqa: SIM105  # contextlib.suppress: contextlib costs ~3 ms on the instant answers' path
        stream.flush()  # what is already buffered goes first
    except Exception:  # a broken stream still gets the line written below
        pass
    data = (line + "\n").encode(getattr(stream, "encoding", None) or "utf-8", "replace")
    try:
        os.write(stream.fileno(), data)
    except Exception:  # no descriptor (a stand-in stream), or stderr closed or full: try the stream itself
        try:
            stream.write(line + "\n")
            stream.flush()
        except Exception:  # nowhere left to say it
            pass


def _exit(code: int) -> None:
    """Flush and leave without tearing the interpreter down: finalising httpx, asyncio and rich
    modules takes ~75 ms on every run and does nothing we need (files are closed by now)."""
    if _sigint_handled:  # a late Ctrl-C must not turn into a traceback between here and os._exit
        import signal  # noqa: PLC0415  # loaded by _handle_sigint

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `outagecheck status | head -1`: the reader left, that is fine
        pass
    except (OSError, ValueError):
        _say("outagecheck: error: cannot write the report to stdout")
        code = IO_ERROR
    try:  # noqa: SIM105  # not contextlib.suppress: see _say
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


if __name__ == "__main__":
    main()
