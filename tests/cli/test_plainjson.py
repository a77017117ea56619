"""The status line's JSON reader (cli/plainjson.py): the value json.loads gives, or a ValueError where the
cache falls back to json.loads; and the warm status line loads neither json nor re."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from outagecheck.cli import cache, plainjson
from tests.helpers import line_env, statusline_loading

# Characters a cache may hold once json.dump escapes them: quotes, backslashes, controls, a surrogate pair's
# halves, terminal codes, non-ASCII (a status page's or route's name).
ALPHABET = 'ab "\\/\b\f\n\r\t\x00\x1b\x7f é€\U0001f600\ud800\udfff{}[]:,'


def _document(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind == 1:
        return rng.randint(-(10**20), 10**20)
    if kind == 2:
        return rng.choice([0.0, -0.0, 1.5, -2.25e-7, 1e300, rng.random() * 10 ** rng.randint(-30, 30)])
    if kind in (3, 4):
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(12)))
    if kind in (5, 6):
        return {
            _document(rng, 4) if rng.random() < 0.1 else str(i): _document(rng, depth + 1)
            for i in range(rng.randrange(5))
        }
    return [_document(rng, depth + 1) for _ in range(rng.randrange(5))]


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_generated_document_reads_as_json_loads_reads_it(ensure_ascii: bool) -> None:
    rng = random.Random(20261203)
    for _ in range(2000):
        doc = _document(rng)
        for indent in (None, 2):
            raw = json.dumps(doc, ensure_ascii=ensure_ascii, indent=indent).encode("utf-8", "surrogatepass")
            got = plainjson.loads(raw)
            assert json.dumps(got) == json.dumps(json.loads(raw))  # -0.0 and 0.0 told apart, key order kept


REFUSED = [
    "",
    " ",
    "01",
    "-",
    "+1",
    "1.",
    ".5",
    "1e",
    "1e+",
    "--1",
    "0x10",
    "[1,]",
    '{"a":1,}',
    "{'a': 1}",
    '{"a" 1}',
    "[1 2]",
    '"unterminated',
    '"\\x"',
    '"\\u12"',
    '"\\uZZZZ"',
    '"tab\there"',
    "tru",
    "nul",
    "[]]",
    '{"a":1}x',
    "[[[]]",
]
# json.loads reads these (NaN and Infinity are Python's extensions; bytes may start with a byte-order mark):
# the small reader refuses them and the cache asks json (test below).
READ_BY_JSON_ONLY = ["NaN", "Infinity", "-Infinity", "\ufeff{}"]


@pytest.mark.parametrize("text", REFUSED + READ_BY_JSON_ONLY)
def test_what_json_refuses_or_reads_otherwise_is_refused(text: str) -> None:
    raw = text.encode()
    if text in READ_BY_JSON_ONLY:
        assert json.loads(raw) is not None
    else:
        with pytest.raises(ValueError, match=r"Expecting|Extra data|Invalid|Unterminated"):
            json.loads(raw)
    with pytest.raises(ValueError, match=r"(at \d+|unterminated string)$"):
        plainjson.loads(raw)


def test_the_cache_falls_back_to_json_for_what_the_small_reader_refuses(tmp_path: Path) -> None:
    (tmp_path / cache.CACHE_NAME).write_text('{"version": 1, "written_at": NaN, "surfaces": []}')
    found = cache.read(str(tmp_path))
    assert found is not None
    assert found[0]["surfaces"] == []
    (tmp_path / cache.CACHE_NAME).write_bytes(json.dumps({"version": 1}).encode("utf-16"))
    found = cache.read(str(tmp_path))
    assert found is not None
    assert found[0] == {"version": 1}


def test_the_warm_status_line_loads_neither_json_nor_re(tmp_path: Path, isolated_home: Path) -> None:
    env = line_env(tmp_path, isolated_home)
    (tmp_path / "cache" / "outagecheck").mkdir(parents=True)
    warm = {"version": 1, "written_at": 0, "fallback": [], "checked_at": "2026-12-03T16:00:00+00:00", "exit_code": 0}
    warm |= {"surfaces": [{"id": i, "status": "operational"} for i in ("web", "code", "api")]}
    (tmp_path / "cache" / "outagecheck" / cache.CACHE_NAME).write_text(json.dumps(warm))  # as refresh writes it
    lines = statusline_loading(env, ["--ttl", "86400"], ("json", "re", "enum", "subprocess"))
    assert lines[-2:] == ["Claude: web ● code ● api ●", "0 []"], lines
