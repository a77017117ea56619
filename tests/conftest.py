"""Fixtures and hooks only; the helpers the tests share are in helpers.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

# Typer's help console reads these at import time (typer/rich_utils.py): set them before it loads.
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["TERMINAL_WIDTH"] = "100"

# A run started in the background by a shell without job control (`pytest &` in a script, as a CI harness
# may do) inherits SIGINT ignored (POSIX: asynchronous lists ignore SIGINT), and so would every CLI it starts:
# the Ctrl-C tests then saw nothing happen, or hung to their timeout. They test Python's own default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pytest
from pytest_httpx import HTTPXMock
from typer.testing import CliRunner

from outagecheck import paths
from tests.helpers import (
    API_MODELS,
    SETTINGS_TEXT,
    STATE_TEXT,
    TEST_KEY,
    FakeMsvcrt,
    all_operational,
    march,
    no_registry_policy,
    route_healthy,
    sweep,
    sweep_files,
)
from tests.loopback import LoopbackServer


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the terminal: no colour, fixed width, nothing from the outer CI environment."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "PY_COLORS", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME and config dir; no test reads or writes the real ones."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    # Windows finds the home in USERPROFILE and outagecheck's dirs in APPDATA, not HOME: point them here too.
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    if not sys.platform.startswith("linux"):
        # macOS and Windows keep the state outside the XDG dirs (paths.state_dir); its documented override puts it
        # where the tests look on every platform. tests/test_paths.py holds each platform's own default.
        monkeypatch.setenv("OUTAGECHECK_STATE_DIR", str(home / ".local" / "state" / "outagecheck"))
    for name in (
        "OUTAGECHECK_CONFIG",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "CLAUDE_CONFIG_DIR",
        "CLAUDE_SECURESTORAGE_CONFIG_DIR",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- the key sweep: no test's output or files may hold TEST_KEY ------------------------------------------


@pytest.fixture(autouse=True)
def key_sweep(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_home: Path) -> Iterator[None]:
    """Every CLI run's stdout, stderr and traceback, and every file a test leaves, is swept for the key."""
    original = CliRunner.invoke

    def invoke_and_sweep(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        sweep("stdout", result.stdout)
        sweep("stderr", result.stderr)
        if result.exc_info is not None:
            sweep("a traceback", "".join(traceback.format_exception(*result.exc_info)))
        return result

    monkeypatch.setattr(CliRunner, "invoke", invoke_and_sweep)
    yield
    # The one file meant to hold a key: `fallback apply`'s key file, 0600, read by apiKeyHelper (in the test's
    # environment: ~/.config/outagecheck on Linux, ~/Library/Application Support/outagecheck on macOS, %APPDATA%).
    key_file = isolated_home / ".config" / "outagecheck" / "anthropic-api-key"
    sweep_files(tmp_path, {key_file, paths.key_file()})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Whatever a test printed or logged (pytest's capture) is swept too; a leak fails the test."""
    report = yield
    captured = report.capstdout + report.capstderr + report.caplog
    if report.passed and TEST_KEY in captured:
        report.outcome = "failed"
        report.longrepr = f"the API key leaked into captured output of {item.nodeid}"
    return report


# -- the real Claude Code client (npm), cached across runs -------------------------------------------------

# Read before any test swaps HOME: the cache outlives the temporary homes.
NPM_CACHE = Path(os.environ.get("OUTAGECHECK_TEST_NPM_CACHE") or Path.home() / ".cache" / "outagecheck-tests" / "npm")


@pytest.fixture(scope="session")
def real_claude() -> Path:
    """The published Claude Code CLI, installed once with npm into a cache dir and reused."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install the real Claude Code client (@anthropic-ai/claude-code)")
    exe = NPM_CACHE / "node_modules" / ".bin" / "claude"
    if not exe.exists():
        started = time.monotonic()
        subprocess.run(
            [npm, "install", "--prefix", str(NPM_CACHE), "--no-audit", "--no-fund", "@anthropic-ai/claude-code"],
            check=True,
            timeout=1800,
            capture_output=True,
        )
        print(f"npm install @anthropic-ai/claude-code took {time.monotonic() - started:.1f} s")
    return exe


# -- a Claude Code home and a key, for fallback apply / revert ----------------------------------------------


@pytest.fixture
def claude_home(isolated_home: Path) -> Path:
    """A HOME holding a Claude Code settings.json with the user's own keys and a ~/.claude.json."""
    (isolated_home / ".claude").mkdir()
    (isolated_home / ".claude" / "settings.json").write_text(SETTINGS_TEXT)
    (isolated_home / ".claude.json").write_text(STATE_TEXT)
    return isolated_home


@pytest.fixture
def mocked_models_ok(httpx_mock: HTTPXMock) -> HTTPXMock:
    httpx_mock.add_response(url=API_MODELS, json={"data": [{"id": "claude-x", "type": "model"}], "has_more": True})
    return httpx_mock


@pytest.fixture
def with_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    return TEST_KEY


# -- mocked HTTP (pytest-httpx) and the loopback server -------------------------------------------------


@pytest.fixture
def mocked_all_operational(httpx_mock: HTTPXMock) -> HTTPXMock:
    all_operational(httpx_mock)
    return httpx_mock


@pytest.fixture
def mocked_march_outage(httpx_mock: HTTPXMock) -> HTTPXMock:
    march(httpx_mock)  # a 5xx is retried once: those answers are reusable
    return httpx_mock


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1, answering as on a good day at the paths loopback_config() points
    every surface at (helpers.route_healthy); a test re-routes what it breaks."""
    with LoopbackServer() as server:
        route_healthy(server)
        yield server


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> FakeMsvcrt:
    """This process as on Windows, where it matters to outagecheck: sys.platform, msvcrt (faked, its lock
    semantics) instead of fcntl, a registry without Claude Code policies. Paths stay this machine's: the tests
    give Windows-shaped ones where they count."""
    fake = FakeMsvcrt()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setitem(sys.modules, "winreg", no_registry_policy())  # no ClaudeCode policy in HKLM or HKCU
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows: importing it fails
    return fake


# -- what a platform lacks: the CI matrix (.github/workflows/tests.yml) runs the suite on macOS and Windows --------

_SIGNALS = "sends POSIX signals (SIGINT, SIGTERM, SIGKILL) to real processes"
_LINUX_XDG = {p: "XDG base dirs are read on Linux only (paths.py, cli/cache.py)" for p in ("darwin", "win32")}
_MAC_CACHE = "places the status line's cache with XDG_CACHE_HOME, which macOS does not read (~/Library/Caches)"
_MODES = "asserts POSIX modes and owners (0600, 0700, uid, umask, sticky dirs): Windows files take the profile's ACL"


def _each(path: str, names: str, why: dict[str, str]) -> dict[str, dict[str, str]]:
    """One entry per named test of a file whose other tests run on that platform."""
    return {f"{path}::{name}": why for name in names.split()}


# Test file, or file::test, -> {platform: why it cannot run there}. A skip here is printed with its reason (-ra);
# tests/ci/test_matrix.py keeps every entry pointing at a test that exists. Windows entries are conservative: this
# table was written without a Windows machine, from what each test uses, and shrinks as the matrix proves more.
PLATFORM_SKIPS: dict[str, dict[str, str]] = {
    **_each(  # regular, missing, oversized and unaffordable files run everywhere
        "tests/test_files.py",
        "test_a_fifo_without_a_writer_is_refused_at_once test_a_device_is_refused test_a_directory_and_a_symlink_loop "
        "test_try_lock_is_exclusive_until_the_descriptor_closes test_the_status_path_runs_on_a_platform_without_fcntl",
        {"win32": "FIFOs, /dev/zero, symlinks, flock, XDG_STATE_HOME: POSIX (msvcrt is tests/test_safefile.py's)"},
    ),
    "tests/test_private.py": {"win32": _MODES},
    "tests/test_private.py::test_a_cache_dir_that_is_not_the_users_own_is_never_read": {"darwin": _MAC_CACHE},
    "tests/test_safefile.py::test_on_posix_the_flock_stays_until_the_close": {
        "win32": "flock semantics: the lock goes with the descriptor (Windows' is faked beside it)"
    },
    "tests/test_private.py::test_under_umask_000_every_dir_is_0700_and_every_file_0600": {
        "darwin": "lists Linux's XDG dirs (~/.config, ~/.local/state); macOS keeps them in ~/Library"
    },
    "tests/test_main.py::test_a_ctrl_c_python_cannot_raise_is_delivered_again": {"win32": _SIGNALS},
    "tests/test_main.py::test_a_ctrl_c_however_wrapped_is_130_and_one_line": {"win32": _SIGNALS},
    "tests/test_main.py::test_a_reader_leaving_early_keeps_the_exit_code": {"win32": "SIGPIPE is POSIX"},
    "tests/test_paths.py::test_an_empty_or_relative_xdg_value_means_the_default": _LINUX_XDG,
    "tests/test_paths.py::test_an_absolute_xdg_value_is_used": _LINUX_XDG,
    "tests/test_readme.py": {"win32": "runs the README's sh blocks in a POSIX shell and venv"},
    "tests/test_readme.py::test_uninstall_removes_every_directory_outagecheck_creates": {
        "darwin": "the README's uninstall line names Linux's XDG dirs"
    },
    "tests/test_packaging.py": {"win32": "builds and installs with POSIX venv paths (bin/, not Scripts\\)"},
    "tests/ci/test_action.py": {"win32": "runs action.yml's bash steps with POSIX tools"},
    "tests/checks/test_verify.py::test_a_real_helper_under_bin_sh_gives_the_key": {"win32": "runs /bin/sh"},
    "tests/cli/test_interrupt.py": {"win32": _SIGNALS},
    "tests/cli/test_hostile.py": {"win32": "FIFOs, devices and closed descriptors of a POSIX shell"},
    "tests/cli/test_completions.py": {"win32": "runs the completion scripts in real bash, zsh and fish"},
    "tests/cli/test_statusline.py::test_stdin_that_never_closes_or_is_a_terminal_is_not_waited_for": {
        "win32": "a terminal on stdin is a POSIX pty here"
    },
    "tests/cli/test_statusline.py": {"darwin": _MAC_CACHE},
    "tests/cli/test_cache.py::test_cache_dir_honours_an_absolute_xdg_cache_home_only": {"darwin": _MAC_CACHE},
    "tests/cli/test_hostile.py::test_hostile_case_ends_with_one_line_and_a_documented_code": {
        "darwin": "places the state dir with XDG_STATE_HOME, which macOS does not read"
    },
    "tests/cli/test_statusline_tui.py": {
        "win32": "drives Claude Code's TUI in tmux",
        "darwin": "sets XDG_STATE_HOME, which macOS does not read",
    },
    "tests/cli/test_memory.py": {"win32": "reads /proc/self/statm", "darwin": "reads /proc/self/statm"},
    **_each(  # the others refuse before any helper runs or any file is written, as on every platform
        "tests/fallback/test_apply.py",
        "test_apply_then_revert_is_byte_identical test_minimal_diff_keeps_the_users_layout "
        "test_apply_twice_changes_nothing_the_second_time test_dry_run_writes_nothing "
        "test_key_command_needs_no_key_file test_local_scope_writes_settings_local_never_the_shared_file "
        "test_local_scope_git_ignores_the_file_and_revert_restores_the_gitignore "
        "test_revert_removes_only_the_line_it_added_from_an_edited_gitignore "
        "test_without_a_gitignore_the_pattern_goes_to_info_exclude test_a_file_git_ignores_already_is_left_alone "
        "test_the_group_level_scope_is_honoured_by_apply test_symlinked_settings_are_written_through "
        "test_user_edits_after_apply_survive_revert test_a_key_the_user_changed_is_left_alone "
        "test_unwritable_directory_exits_73 test_helper_already_set_still_gets_onboarding_and_verify",
        {"win32": "asserts the POSIX helper (cat '<path>'), 0600 modes, printf helpers, symlinks or TOML paths"},
    ),
    "tests/fallback/test_concurrency.py": {"win32": f"{_SIGNALS}, mid-write, and renames over open files"},
    **_each(  # the others read settings with no claude on PATH ("/usr/bin:/bin" names no Windows directory)
        "tests/fallback/test_detect.py",
        "test_claude_auth_status_is_asked test_hanging_claude_times_out "
        "test_a_key_without_onboarding_gets_the_onboarding_step test_not_logged_in_reads_so_and_never_prints_none",
        {"win32": "its fake `claude` executables are POSIX shell scripts"},
    ),
    "tests/fallback/test_detect.py::test_status_reminds_to_revert_once_logins_are_back": {
        "win32": "its config puts a path in a TOML basic string, where a Windows path's backslashes are escapes"
    },
    "tests/fallback/test_running.py::test_a_client_of_another_home_is_not_named": {
        "darwin": "a process's environment is read from /proc, on Linux only (ps can't show it)",
        "win32": "real processes started by bash (exec -a claude), found via /proc and ps",
    },
    "tests/fallback/test_real_client.py": {"win32": "runs the real client with POSIX shell fakes and tmux"},
    **_each(  # what counts as Claude Code and the tasklist tests (the platform faked) run everywhere
        "tests/fallback/test_running.py",
        "test_a_native_client_is_found test_an_npm_client_under_node_is_found "
        "test_apply_and_revert_name_it_and_ask_nothing_more",
        {"win32": "real processes started by bash (exec -a claude), found via /proc and ps"},
    ),
    "tests/fallback/test_lock.py::test_a_ctrl_c_right_after_the_mkdir_still_removes_the_lock": {"win32": _SIGNALS},
    "tests/fallback/test_bigjson.py::test_apply_on_a_50_mb_settings_file_stays_under_4x_its_size": {
        "win32": "measures memory with the resource module (POSIX)"
    },
    "tests/fallback/test_since.py::test_apply_until_recovered_starts_a_detached_watcher": {
        "win32": "reads /proc/<pid>/cmdline and os.getsid, then SIGTERM",
        "darwin": "reads /proc/<pid>/cmdline",
    },
    **_each(  # the others (the helpers for sh and cmd, git's exclude files, refusals) run everywhere
        "tests/fallback/test_targets.py",
        "test_generic_targets_round_trip test_toml_diff_says_comments_are_dropped "
        "test_revert_by_name_touches_only_that_target test_concurrent_applies_do_not_interleave",
        {"win32": "its config puts paths in TOML basic strings, where a Windows path's backslashes are escapes"},
    ),
    "tests/fallback/test_targets.py::test_killed_mid_write_leaves_old_or_new_never_torn": {"win32": _SIGNALS},
    "tests/fallback/test_targets.py::test_read_only_directory_exits_73_and_leaves_the_file": {
        "win32": "chmod 0555 on a directory in /tmp (Windows ignores it), os.geteuid and setpriv"
    },
    "tests/fallback/test_transaction.py::test_a_full_disk_rolls_back_everything_already_written": {
        "darwin": "finds the file being written through /proc/self/fd",
        "win32": "finds the file being written through /proc/self/fd, on a tmpfs",
    },
    **_each(
        "tests/fallback/test_transaction.py",
        "test_a_read_only_settings_file_is_refused_unless_forced test_a_read_only_claude_dir_is_refused",
        {"win32": "chmod read-only files and dirs and asserts POSIX modes"},
    ),
    **_each(  # the others (botocore, google-auth, Windows' helper command line faked) run everywhere
        "tests/routes/test_clouds.py",
        "test_aws_cli_export_credentials_gives_sigv4_keys_and_the_child_gets_the_routes_profile "
        "test_an_expired_sso_login_names_the_exact_command test_no_aws_cli_and_no_botocore_says_which_extra_helps "
        "test_a_hanging_cli_is_cut_at_the_deadline test_gcloud_prints_the_adc_token "
        "test_no_adc_off_gce_is_no_credentials_in_milliseconds_without_asking_anyone "
        "test_an_expired_adc_login_names_the_renewal test_foundry_prefers_the_environment_then_az "
        "test_az_not_logged_in_says_az_login",
        {"win32": "its fake aws, gcloud and az are POSIX shell scripts on a ':'-separated PATH"},
    ),
    "tests/routes/test_clouds.py::test_key_command_runs_in_sh_and_must_print_one_line": {
        "win32": "its key_command is printf, run by sh (Windows runs it under cmd: the test beside it)"
    },
    "tests/routes/test_real_current.py": {
        "win32": "starts the real client with PATH=/usr/bin:/bin and HOME, not USERPROFILE, as on POSIX"
    },
    **_each(  # the colour conventions and the lazy imports run everywhere
        "tests/output/test_emit.py",
        "test_output_never_writes_through_a_planted_symlink test_output_refuses_another_users_file_in_a_sticky_dir "
        "test_output_replaces_the_path_itself_and_is_never_world_writable",
        {"win32": "--output's symlink, sticky-dir and mode rules are POSIX"},
    ),
    "tests/output/test_emit.py::test_the_table_follows_them": {
        "win32": "unproven: rich picks its legacy Windows console mode (no ANSI escapes) by what it detects"
    },
    **_each(  # the message, the webhooks (a loopback receiver) and the hook under cmd (faked) run everywhere
        "tests/output/test_notify.py",
        "test_on_change_gets_the_report_and_the_variables "
        "test_a_command_that_hangs_is_killed_with_everything_it_started "
        "test_desktop_notification_through_notify_send_or_a_warning_without_it",
        {"win32": "its commands are sh (echo, cat, sleep, touch) and its notify-send fake a shell script"},
    ),
}


def platform_skip(nodeid: str, platform: str) -> str | None:
    """Why the test cannot run on `platform`, from PLATFORM_SKIPS (its own entry, else its file's), or None."""
    path, _, rest = nodeid.partition("::")
    name = rest.split("[", 1)[0]
    for key in (f"{path}::{name}", path):
        if why := PLATFORM_SKIPS.get(key, {}).get(platform):
            return why
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, with its reason, each test this platform cannot run (PLATFORM_SKIPS)."""
    for item in items:
        if why := platform_skip(item.nodeid, sys.platform):
            item.add_marker(pytest.mark.skip(reason=f"not on {sys.platform}: {why}"))


# -- Claude Code's routes: a machine with no provider set anywhere ----------------------------------------


@pytest.fixture
def no_route(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_home: Path) -> Path:
    """No route variable in the environment and the managed settings moved to an empty temporary folder
    ($OUTAGECHECK_MANAGED_SETTINGS): this machine's /etc/claude-code is never read. Returns that folder."""
    from outagecheck.routes.current import HOST_VAR  # noqa: PLC0415  # only the routes tests load routes/
    from outagecheck.routes.settings import ROUTE_VARS  # noqa: PLC0415  # only the routes tests load routes/

    for name in (*ROUTE_VARS, HOST_VAR):
        monkeypatch.delenv(name, raising=False)
    managed = tmp_path / "managed"
    managed.mkdir()
    monkeypatch.setenv("OUTAGECHECK_MANAGED_SETTINGS", str(managed / "managed-settings.json"))
    return managed
