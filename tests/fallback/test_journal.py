"""The journal is validated before revert trusts it: anything odd is exit 78 and nothing changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagecheck.fallback import journal
from tests.helpers import invoke

GOOD_ENTRY = """
[[changes]]
target = "claude-code"
path = "{settings}"
format = "json"
created = false
backup = "{backup}"
written_sha256 = "{sha}"
applied_at = "2026-03-02T10:00:00+00:00"
secret = false
[[changes.keys]]
key = "apiKeyHelper"
value = '"cat /k"'
"""


def _journal(home: Path, text: str) -> tuple[Path, Path, Path]:
    state = home / ".local" / "state" / "outagecheck"
    (state / "backups").mkdir(parents=True)
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"apiKeyHelper": "cat /k"}\n')
    backup = state / "backups" / "20260302T100000Z-settings.json"
    backup.write_text("{}\n")
    journal_path = state / "journal.toml"
    journal_path.write_text(text.format(settings=settings, backup=backup, sha="a" * 64))
    return journal_path, settings, backup


def test_a_valid_journal_round_trips(isolated_home: Path) -> None:
    path, settings, backup = _journal(isolated_home, "version = 1\n" + GOOD_ENTRY)
    [entry] = journal.load(path)
    assert entry == journal.Entry(
        target="claude-code",
        path=str(settings),
        format="json",
        created=False,
        backup=str(backup),
        written_sha256="a" * 64,
        applied_at="2026-03-02T10:00:00+00:00",
        keys=(journal.KeyChange("apiKeyHelper", '"cat /k"'),),
    )
    journal.save(path, [entry])
    assert journal.load(path) == [entry]
    hashed = replace(entry, backup_sha256="b" * 64, backup_size=3)
    journal.save(path, [hashed])
    assert journal.load(path) == [hashed]
    assert "route" not in path.read_text()  # a change that is no route switch reads as it always did
    routed = replace(entry, route="vertex-eu", route_kind="vertex", billed_to="GCP project p1")
    journal.save(path, [routed])
    assert journal.load(path) == [routed]


def test_outstanding_gives_a_route_switch_its_route_kind_and_payer_and_older_journals_none(
    isolated_home: Path,
) -> None:
    path, _, _ = _journal(isolated_home, "version = 1\n" + GOOD_ENTRY)  # written before routes were journaled
    assert journal.outstanding() == (("claude-code", "2026-03-02T10:00:00+00:00"),)
    [entry] = journal.load(path)
    routed = replace(entry, route="vertex-eu", route_kind="vertex", billed_to="GCP project p1")
    journal.save(path, [entry, replace(routed, path=entry.path + ".2")])
    assert journal.outstanding() == (
        ("claude-code", "2026-03-02T10:00:00+00:00", "vertex-eu", "vertex", "GCP project p1", "", ""),
    )


def test_a_route_switch_journals_what_claude_code_used_before_and_older_journals_still_load(
    isolated_home: Path,
) -> None:
    path, _, _ = _journal(isolated_home, "version = 1\n" + GOOD_ENTRY)
    [entry] = journal.load(path)
    routed = replace(entry, route="vertex-eu", route_kind="vertex", billed_to="GCP project p1")
    for before, name in (("login", ""), ("api", ""), ("bedrock", "work-bedrock"), ("gateway", "")):
        switched = replace(routed, before=before, before_route=name)
        journal.save(path, [switched])
        assert journal.load(path) == [switched]
        assert f'before = "{before}"' in path.read_text()
        assert ("before_route" in path.read_text()) is bool(name)  # left out when empty
        assert journal.outstanding()[0][5:] == (before, name)
    journal.save(path, [routed])
    assert "before" not in path.read_text()  # a route switch that recorded nothing reads as it did


def test_outstanding_names_the_latest_route_and_what_revert_goes_back_to(isolated_home: Path) -> None:
    path, _, _ = _journal(isolated_home, "version = 1\n" + GOOD_ENTRY)
    [entry] = journal.load(path)
    first = replace(entry, route="bedrock", route_kind="bedrock", billed_to="AWS", before="api")
    second = replace(entry, path=entry.path + ".2", applied_at="2026-03-02T11:00:00+00:00")
    second = replace(second, route="corp", route_kind="gateway", billed_to="the gateway", before="bedrock",
                     before_route="bedrock")  # fmt: skip
    journal.save(path, [first, second])
    # Claude Code is on the second route; one revert undoes both, back to the API key the first replaced.
    assert journal.outstanding() == (
        ("claude-code", "2026-03-02T10:00:00+00:00", "corp", "gateway", "the gateway", "api", ""),
    )
    journal.save(path, [entry, second])  # an API-key fallback first: revert goes back past it, to the login
    assert journal.outstanding()[0][5:] == ("", "")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param("", "it is empty", id="zero-bytes"),
        pytest.param("version = 99\n" + GOOD_ENTRY, "unknown version 99", id="unknown-version"),
        pytest.param("version = '1'\n" + GOOD_ENTRY, "unknown version '1'", id="version-is-a-string"),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("created = false", 'created = "false"'),
            "changes[0].created must be a bool, not 'false'",
            id="created-is-a-string",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace('path = "{settings}"', "path = 123"),
            "changes[0].path must be a str, not 123",
            id="path-is-a-number",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace('format = "json"', 'format = "yaml"'),
            "changes[0].format 'yaml' is not one of json, toml, env, secret",
            id="unknown-format",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("value = '\"cat /k\"'", "value = 'cat /k'"),
            "changes[0].keys[0].value is not valid JSON text",
            id="value-not-json",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace('path = "{settings}"', 'path = "relative.json"'),
            "changes[0].path must be an absolute path",
            id="relative-path",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY + "surprise = 1\n", "changes[0].keys[0] has an unknown field", id="extra-field"
        ),
        pytest.param("version = 1\nchanges = [", "Invalid value (at end of document)", id="not-toml"),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("secret = false", 'secret = false\nroute_kind = "bedrock"'),
            "changes[0].route_kind has no route",
            id="route-kind-without-route",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("secret = false", 'secret = false\nbefore = "api"'),
            "changes[0].before has no route",
            id="before-without-route",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("secret = false", 'secret = false\nroute = "r"\nbefore = "moon"'),
            "changes[0].before 'moon' is not login, api or a route kind",
            id="before-unknown",
        ),
        pytest.param(
            "version = 1\n"
            + GOOD_ENTRY.replace("secret = false", 'secret = false\nroute = "r"\nbefore = "api"\nbefore_route = "x"'),
            "changes[0].before_route needs a route kind in before",
            id="before-route-without-kind",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("secret = false", "secret = false\nroute = 7"),
            "changes[0].route must be a str, not 7",
            id="route-not-a-string",
        ),
        pytest.param(
            "version = 1\n"
            + GOOD_ENTRY.replace("secret = false", 'secret = false\nbackup_sha256 = "xyz"\nbackup_size = 3'),
            "changes[0].backup_sha256 is not a SHA-256",
            id="backup-sha-not-hex",
        ),
        pytest.param(
            "version = 1\n" + GOOD_ENTRY.replace("secret = false", f'secret = false\nbackup_sha256 = "{"b" * 64}"'),
            "changes[0].backup_sha256 and backup_size come together",
            id="backup-sha-without-size",
        ),
    ],
)
def test_a_damaged_journal_is_exit_78_and_changes_nothing(
    runner: CliRunner, isolated_home: Path, text: str, why: str
) -> None:
    path, settings, backup = _journal(isolated_home, text)
    before = settings.read_bytes(), backup.read_bytes(), path.read_bytes()
    result = invoke(runner, "fallback", "revert", "--yes")
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith(f"outagecheck: error: the journal is damaged: {path}: ")
    assert why in result.stderr
    assert result.stderr.endswith(f"; nothing changed (your originals are in the backups: {backup})\n")
    assert (settings.read_bytes(), backup.read_bytes(), path.read_bytes()) == before
    assert "Nothing to revert" not in result.stdout


def test_status_reminder_ignores_a_damaged_journal(isolated_home: Path) -> None:
    _journal(isolated_home, "")
    assert journal.outstanding() == ()
