from __future__ import annotations

from typing import Any

import pytest

from outagecheck.fallback.documents import MISSING, ParseError, has_comments, infer_format, parse


@pytest.mark.parametrize(
    ("text", "sets", "expected"),
    [
        pytest.param("{}", {"a": 1}, '{"a": 1}', id="empty-object"),
        pytest.param("", {"a": 1}, '{\n  "a": 1\n}\n', id="new-file"),
        pytest.param('{"a": 1}\n', {"a": 2}, '{"a": 2}\n', id="replace-in-place"),
        pytest.param('{\r\n  "a": 1\r\n}\r\n', {"b": True}, '{\r\n  "a": 1,\r\n  "b": true\r\n}\r\n', id="crlf-kept"),
        pytest.param('{\n\t"a": "é"\n}', {"b": "ü"}, '{\n\t"a": "é",\n\t"b": "ü"\n}', id="tabs-and-unicode"),
        pytest.param(
            '{"a": {"b": 1}, "c": 2}',
            {"a.x": 3},
            '{\n  "a": {\n    "b": 1,\n    "x": 3\n  },\n  "c": 2\n}',
            id="nested-key-rerenders",
        ),
        pytest.param('{"a": 1, "a": 2}', {"a": 3}, '{"a": 1, "a": 3}', id="duplicate-key-last-wins"),
    ],
)
def test_json_set(text: str, sets: dict[str, Any], expected: str) -> None:
    doc = parse(text, "json")
    for key, value in sets.items():
        doc.set(key, value)
    assert doc.render() == expected


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        pytest.param('{"a": }', "json", "invalid JSON", id="bad-json"),
        pytest.param("[1, 2]", "json", "not an object", id="json-array"),
        pytest.param("a = ", "toml", "invalid TOML", id="bad-toml"),
    ],
)
def test_parse_errors(text: str, fmt: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(text, fmt)


def test_setting_under_a_scalar_is_refused() -> None:
    doc = parse('{"a": 1}', "json")
    with pytest.raises(ParseError, match="'a' is not a table"):
        doc.set("a.b", 2)


def test_env_quoting_and_values() -> None:
    doc = parse("A=\"x y\"\nexport B='lit $x'\nC=plain # note\n", "env")
    assert (doc.get("A"), doc.get("B"), doc.get("C"), doc.get("D")) == ("x y", "lit $x", "plain", MISSING)
    doc.set("A", 'he said "hi"')
    doc.set("D", True)
    doc.unset("C")
    assert doc.render() == 'A="he said \\"hi\\""\nexport B=\'lit $x\'\nD=true\n'


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.json", "json"),
        ("x/pyproject.toml", "toml"),
        (".env", "env"),
        ("prod.env", "env"),
        (".env.local", "env"),
        ("config.yaml", None),
    ],
)
def test_infer_format(name: str, fmt: str | None) -> None:
    assert infer_format(name) == fmt


def test_has_comments() -> None:
    assert has_comments("# c\na = 1", "toml")
    assert not has_comments("a = 1", "toml")
    assert not has_comments("# c", "json")
