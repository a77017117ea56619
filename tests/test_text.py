"""text.py: remote text is data, never markup; URLs never show their credentials."""

from __future__ import annotations

import subprocess
import sys

import pytest

from outagecheck import text
from outagecheck.model import Incident, Status, StatusPage
from outagecheck.text import clean, clean_all, mask_url, url_secrets

# Each is something a status page, an API or a proxy could send in a name or a message.
HOSTILE = [
    pytest.param("a\x1b[2J\x1b[31mb", "a[2J[31mb", id="csi-clear-screen-and-colour"),
    pytest.param("x\x1b]52;c;ZWNobyBwd25lZA==\x07y", "x]52;c;ZWNobyBwd25lZA==y", id="osc-52-clipboard-write"),
    pytest.param(
        "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
        "]8;;https://evil.example\\click]8;;\\",
        id="osc-8-hyperlink",
    ),
    pytest.param("a\x9b31mb\x9d0;t\x9c", "a31mb0;t", id="c1-csi-osc-st"),
    pytest.param("a\x00b\x07c\x08d\x7fe", "abcde", id="nul-bel-bs-del"),
    pytest.param("tab\tstays", "tab\tstays", id="tab-stays"),
    pytest.param("safe\u202egnp.exe", "safegnp.exe", id="bidi-override"),
    pytest.param("\u2066iso\u2069\u200f", "iso", id="bidi-isolate-and-mark"),
    pytest.param("one\r\ntwo\n\nthree", "one two three", id="newlines-collapse"),
    pytest.param("a\u2028b\u2029c\x85d\x0be\x0cf", "a b c d e f", id="unicode-line-breaks"),
    pytest.param("x\n::set-output name=ok::true", "x ::set-output name=ok::true", id="workflow-command-stays-inline"),
    pytest.param("x ##[error]pwned", "x ## [error]pwned", id="v1-workflow-command-defused"),
    pytest.param("Elevated errors on Claude Opus 4.1", "Elevated errors on Claude Opus 4.1", id="ordinary-text"),
    pytest.param("Störung – 東京 ✖", "Störung – 東京 ✖", id="non-ascii-stays"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_clean(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_all_reaches_every_string_and_keeps_the_shape() -> None:
    page = StatusPage(
        True,
        "https://status.example/api/v2/summary.json",
        "ok",
        "read",
        {"id\x1b": ("na\nme", "major_outage")},
        (Incident("bad\x1b[2Jname", "identified", "major", "upd\u202eate", "", "javascript:x\n"),),
    )
    cleaned = clean_all(page)
    assert cleaned.components == {"id": ("na me", "major_outage")}
    assert cleaned.incidents[0].name == "bad[2Jname"
    assert cleaned.incidents[0].latest_update == "update"
    assert cleaned.incidents[0].link == "javascript:x "
    assert clean_all(Status.DOWN) is Status.DOWN


def test_every_character_clean_changes_is_unprintable() -> None:
    # clean() returns printable text untouched without running its patterns: that is only right while no
    # printable character is one they match (a pattern grown by a printable one would make this fail).
    matched = [c for c in map(chr, range(sys.maxunicode + 1)) if any(p.search(c) for p in text.patterns())]
    assert len(matched) > 60
    assert [c for c in matched if c.isprintable()] == []


def test_clean_all_returns_what_it_did_not_change_as_it_was() -> None:
    page = StatusPage(True, "https://status.example", "ok", "read", {"id": ("name", "operational")})
    assert clean_all(page) is page  # nothing to clean: not rebuilt
    dirty = StatusPage(True, "https://status.example", "ok", "re\nad", {"id": ("name", "operational")})
    cleaned = clean_all(dirty)
    assert cleaned is not dirty
    assert cleaned.detail == "re ad"
    assert cleaned.url is dirty.url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://bob:hunter2@gw.example/v1", "https://***@gw.example/v1"),
        ("https://gw.example/v1?token=abc&team=x", "https://gw.example/v1?token=***&team=***"),
        ("http://u@127.0.0.1:8080/?k=", "http://***@127.0.0.1:8080/?k=***"),
        ("https://api.anthropic.com", "https://api.anthropic.com"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_url_secrets_are_what_mask_url_hides() -> None:
    assert url_secrets("https://bob:hunter2@gw.example/?token=abcdefgh&x=1") == ["bob:hunter2", "abcdefgh", "1"]
    assert url_secrets("https://gw.example/") == []


def test_module_patterns_compile_on_first_use_not_at_import() -> None:
    # Nine patterns of the status path cost ~1.3 ms of every run when compiled at import; a healthy run needs few.
    code = (
        "import re, sys\n"
        "compiles = []\n"
        "real = re._compile\n"
        "def hook(p, f):  # counts the compiles our modules ask for, not a library's\n"
        "    if '/outagecheck/' in sys._getframe(2).f_code.co_filename.replace(chr(92), '/'):\n"
        "        compiles.append(p)\n"
        "    return real(p, f)\n"
        "re._compile = hook\n"
        "from outagecheck import config\n"
        "from outagecheck.checks import credentials, deep, intermediaries\n"
        "before = list(compiles)\n"
        "assert config.SURFACE_ID().fullmatch('web') and config.SURFACE_ID() is config.SURFACE_ID()\n"
        "assert intermediaries._CF_CODE().search(b'error code: 1020').group(1) == b'1020'\n"
        "print(len(before), len(compiles) - len(before))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["0", "2"]  # none at import; each once, on first use
