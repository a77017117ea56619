"""Big files: top-level edits from the bytes (bigjson.py), summarised diffs, bounded memory (slow)."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagecheck.fallback import bigjson
from outagecheck.fallback.apply import FileChange
from outagecheck.fallback.targets import FileEdit
from tests.helpers import ROOT

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner))
objects = st.dictionaries(st.text(max_size=6), values, max_size=6)


@settings(max_examples=150, deadline=None)
@given(doc=objects, sets=st.dictionaries(st.sampled_from(["apiKeyHelper", "a", "", "é"]), values, max_size=3))
@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_patch_sets_top_level_keys_and_keeps_every_other_byte(
    doc: dict[str, Any], sets: dict[str, Any], indent: int | str | None
) -> None:
    data = json.dumps(doc, indent=indent, ensure_ascii=False).encode()
    found = bigjson.members(data)
    assert [k for k, _, _ in found[0]] == list(doc)
    patched = bigjson.patch(data, found, sets)
    assert json.loads(patched) == {**doc, **sets}
    untouched = [data[s:e] for k, s, e in found[0] if k not in sets]
    assert all(part in patched for part in untouched)


@pytest.mark.parametrize(
    "text",
    [b"[1, 2]", b'{"a": [1, 2}', b'{"a": 1} x', b'{"a" 1}', b'{"a": "open}', b'{"a": 1,, "b": 2}', b'{"a": tru}'],
)
def test_what_is_not_a_plain_object_is_refused(text: bytes) -> None:
    with pytest.raises(ValueError, match=r"."):  # NotSimple, or the JSON error of a scalar
        bigjson.members(text)


@pytest.mark.parametrize("text", [b'{"a": NaN}', b'{"a": [1, {"b": -Infinity}]}', b'{"a": Infinity, "b": "x"}'])
def test_nan_and_infinity_anywhere_are_refused_as_json_parse_refuses_them(text: bytes) -> None:
    with pytest.raises(ValueError, match=r"(NaN|Infinity) is not JSON \(Claude Code's JSON.parse rejects it\)"):
        bigjson.members(text)
    with pytest.raises(ValueError, match="is not JSON"):
        bigjson.loads(text)


def test_nan_inside_a_string_is_text_and_deep_nesting_is_a_value_error() -> None:
    text = b'{"note": "NaN and \\"Infinity\\" are words here"}'
    assert [k for k, _, _ in bigjson.members(text)[0]] == ["note"]
    with pytest.raises(ValueError, match="nested too deeply"):
        bigjson.loads("[" * 5000 + "]" * 5000)


def _change(before: bytes, after: bytes) -> FileChange:
    return FileChange(FileEdit(Path("/s.json"), "json", {}), before, after, (), False)


def test_a_long_line_is_summarised_in_the_diff() -> None:
    before = json.dumps({"allow": ["x" * 10] * 1000}).encode()
    after = before[:-1] + b', "apiKeyHelper": "cat /k"}'
    diff = _change(before, after).diff()
    assert f"-(a line of {len(before):,} bytes, sha256 " in diff
    assert f"+(a line of {len(after):,} bytes, sha256 " in diff
    assert len(diff) < 400


def test_the_diff_of_a_big_file_is_the_diff_of_the_whole_file() -> None:
    lines = [f'    "key{i}": {i},\n' for i in range(200_000)]
    before = ("{\n" + "".join(lines) + '    "last": 0\n}\n').encode()
    after = before.replace(b'"key123456": 123456', b'"key123456": "changed"')
    expected = "".join(
        difflib.unified_diff(
            before.decode().splitlines(keepends=True),
            after.decode().splitlines(keepends=True),
            fromfile="/s.json",
            tofile="/s.json",
        )
    )
    assert "@@ -123455,7 +123455,7 @@" in expected
    assert _change(before, after).diff() == expected


@pytest.mark.slow
def test_apply_on_a_50_mb_settings_file_stays_under_4x_its_size(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    settings_file = home / ".claude" / "settings.json"
    doc = {"permissions": {"allow": [f"Bash(npm run task-{i}:*)" for i in range(1_600_000)]}, "model": "opus"}
    settings_file.write_text(json.dumps(doc))
    size = settings_file.stat().st_size
    assert size > 50_000_000
    del doc
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OUTAGECHECK_", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))
    (home / "oc.toml").write_text('timeout = 1\n[endpoints]\napi = "http://127.0.0.1:9"\n')
    command = [sys.executable, "-m", "outagecheck", "fallback", "apply", "claude-code", "--yes"]
    command += ["--key-command", "printf k", "--config", str(home / "oc.toml")]
    # Started from a small process: a child forked from this big pytest process would count its pages.
    measure = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(done.returncode, len(done.stdout), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, *command], env=env, capture_output=True, text=True, timeout=600
    )
    code, out_len, peak_kb = (int(x) for x in done.stdout.split())
    peak = peak_kb * 1024  # ru_maxrss is in kilobytes on Linux
    print(f"\napply on a {size / 1e6:.0f} MB settings.json: peak RSS {peak / 1e6:.0f} MB ({peak / size:.1f}x)")
    assert code == 69  # written; the proof can't reach 127.0.0.1:9
    assert peak < 4 * size
    assert out_len < 4096  # the diff summarises the one 50 MB line
    patched = settings_file.read_bytes()
    assert patched.endswith(b'"model": "opus", "apiKeyHelper": "printf k"}')
    assert bigjson.pick(patched, {"apiKeyHelper"}) == {"apiKeyHelper": "printf k"}
