"""Read a log as the GitHub Actions runner reads workflow commands, to check which ones a step really gave.

The rules of actions/runner (src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs):
each line is tried as `::name props::data` once leading whitespace is trimmed (v2), else as `##[name props]data`
found anywhere in the line (v1); a name counts only when the runner registered it (case-insensitive).
`::stop-commands::TOKEN` ignores every command until TOKEN itself comes as a command (`::TOKEN::`).
"""

from __future__ import annotations

from dataclasses import dataclass

# The commands a runner registers (ActionCommandManager and its extensions).
REGISTERED = frozenset(
    {
        "stop-commands", "set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher",
        "remove-matcher", "warning", "error", "notice", "debug", "group", "endgroup", "echo",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Command:
    name: str
    props: str
    data: str


def _parse(line: str, registered: set[str]) -> Command | None:
    trimmed = line.lstrip()
    if trimmed.startswith("::") and (end := trimmed.find("::", 2)) >= 0:
        info = trimmed[2:end]
        name, _, props = info.partition(" ")
        if name.lower() in registered:
            return Command(name.lower(), props, trimmed[end + 2 :])
    if (start := line.find("##[")) >= 0 and (close := line.find("]", start)) >= 0:
        info = line[start + 3 : close]
        name, _, props = info.partition(" ")
        if name.lower() in registered:
            return Command(name.lower(), props, line[close + 1 :])
    return None


def commands(log: str) -> list[Command]:
    """The workflow commands the runner would carry out for this output, stop-commands honoured."""
    registered = set(REGISTERED)
    token: str | None = None
    done: list[Command] = []
    for line in log.splitlines():
        command = _parse(line, registered)
        if command is None:
            continue
        if token is not None:
            if command.name == token.lower():
                registered.discard(token.lower())
                token = None
            continue
        if command.name == "stop-commands":
            token = command.data
            registered.add(token.lower())
            continue
        done.append(command)
    return done
