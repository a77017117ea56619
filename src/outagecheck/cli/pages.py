"""--help without typer: the pages are typer's own output, rendered ahead of time into help.txt.

`tests/cli/test_help.py` renders every command's help through typer and fails when help.txt differs
(OUTAGECHECK_UPDATE_GOLDEN=1 rewrites it), so the two cannot drift. Imports nothing beyond os and sys.
"""

from __future__ import annotations

import os
import sys

PAGES_FILE = os.path.join(os.path.dirname(__file__), "help.txt")
SEPARATOR = "\f"  # starts a page: "\f<command path>\n<the page>"
# click wraps help at min(terminal width, 80) - 2 columns: stored pages are exact from 80 columns up.
WIDTH = 80


def columns() -> int:
    """The terminal width as click sees it (shutil.get_terminal_size, without importing shutil)."""
    try:
        value = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        value = 0
    if value > 0:
        return value
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or WIDTH  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return WIDTH


def parse(text: str) -> dict[str, str]:
    """The pages by command path ("" for the root, "fallback apply" for a subcommand)."""
    pages = {}
    for chunk in text.split(SEPARATOR)[1:]:
        path, _, page = chunk.partition("\n")
        pages[path] = page
    return pages


def render(pages: dict[str, str]) -> str:
    return "".join(f"{SEPARATOR}{path}\n{page}" for path, page in pages.items())


def page_for(argv: list[str]) -> str | None:
    """The stored page when argv is exactly `[command ...] --help` (or -h) on a wide enough terminal, else None."""
    if not argv or argv[-1] not in ("--help", "-h") or any(a.startswith("-") for a in argv[:-1]) or columns() < WIDTH:
        return None
    try:
        with open(PAGES_FILE, encoding="utf-8") as f:
            pages = parse(f.read())
    except OSError:
        return None  # typer will answer
    return pages.get(" ".join(argv[:-1]))
