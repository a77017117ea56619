"""Entry point for the console script and `python -m outagecheck`: answers --version and --help before typer loads."""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """Run the CLI; `outagecheck --version` alone is answered without importing typer, httpx or rich."""
    if sys.argv[1:] == ["--version"]:
        from outagecheck import __version__  # noqa: PLC0415  # --version answers before typer loads

        sys.stdout.write(f"outagecheck {__version__}\n")
        return
    from outagecheck.cli.pages import page_for  # noqa: PLC0415  # os and sys only: --help without typer

    if (page := page_for(sys.argv[1:])) is not None:
        sys.stdout.write(page)
        _exit(0)
    # A run lives for a second or two and makes few reference cycles: collecting during the imports
    # only costs time (benchmarks/).
    gc.disable()
    from outagecheck.cli.fast import run  # noqa: PLC0415  # status and wait without typer (cli/flags.py)

    if (code := run(sys.argv[1:])) is not None:
        _exit(code)
    from outagecheck.cli.app import app  # noqa: PLC0415  # only for what the fast paths leave

    # prog_name keeps `python -m outagecheck` on the same completion variable as the console script.
    code = app(prog_name="outagecheck", standalone_mode=False)
    _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> None:
    """Flush and leave without tearing the interpreter down: finalising httpx, asyncio and rich
    modules takes ~75 ms on every run and does nothing we need (files are closed by now)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `outagecheck status | head -1`: the reader left, that is fine
        pass
    except OSError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    main()
