"""One table of settings (focuslib/settings.py), read in one place and handed down.

Nothing but the settings module, config.py and the command lines reads the environment; every row is in
docs/configuration.md and in `focus config`; flags override the environment where the settings are read.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from conftest import ROOT
from focuslib.errors import ConfigError
from focuslib.settings import FILTERS, SETTINGS, Preferences, read, value

# Who may read the environment: the settings module, config.py (where Twitch is, the files), the command lines
# (cli/ and the Python API, which hand the settings down) and the simulated Twitch, which is not focus.
READERS = ("focuslib/settings.py", "focuslib/config.py", "focuslib/api.py", "focuslib/cli/", "focuslib/sim/")
VARIABLE = re.compile(r"(FOCUS|TWITCH)_\w+|NO_COLOR|COLUMNS|LINES|TERM|COLORTERM")


def environment_reads(root: Path) -> list[str]:
    """`file:line what` for every read of the environment in focuslib/ outside READERS: os.environ, getenv, a
    settings object's `.env` mapping, or a setting's name looked up in a mapping."""
    found = []
    for path in sorted((root / "focuslib").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name.startswith(READERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), name)):
            what = None
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "env"):
                what = f".{node.attr}"
            elif isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
                what = node.id
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                    and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and VARIABLE.fullmatch(node.args[0].value):
                what = f".get({node.args[0].value!r})"
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and VARIABLE.fullmatch(node.slice.value):
                what = f"[{node.slice.value!r}]"
            if what:
                found.append(f"{name}:{node.lineno} {what}")
    return found


def test_nothing_below_the_command_lines_reads_the_environment():
    assert environment_reads(ROOT) == []


def test_the_scan_finds_each_way_of_reading_the_environment(tmp_path):
    package = tmp_path / "focuslib"
    (package / "view").mkdir(parents=True)
    (package / "cli").mkdir()
    (package / "view" / "terminal.py").write_text(
        "import os\nfrom os import environ\n"
        "def size(settings, env):\n"
        "    return os.environ.get('COLUMNS'), os.getenv('LINES'), settings.env, env.get('FOCUS_THEME'), "
        "env['NO_COLOR'], environ\n")
    (package / "cli" / "focus.py").write_text("import os\nos.environ.get('FOCUS_THEME')\n")  # a command line may
    assert sorted(environment_reads(tmp_path)) == sorted(f"focuslib/view/terminal.py:4 {what}" for what in (
        ".environ", ".get('COLUMNS')", ".getenv", ".env", ".get('FOCUS_THEME')", "['NO_COLOR']", "environ"))


def test_every_setting_is_in_the_configuration_page():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert [row.name for row in SETTINGS if f"`{row.name}`" not in page] == []


def test_each_setting_of_focus_fills_one_field_and_the_fields_are_options():
    """The table, the object it makes and runtime/setup.py's Options agree: no setting is read and dropped."""
    from focuslib.runtime.setup import Options

    checked = [row.field for row in SETTINGS if row.check is not None]
    terminal = {"term", "colorterm", "size"}  # the terminal's own variables, read beside the table
    assert sorted(checked) == sorted({f.name for f in dataclasses.fields(Preferences)} - terminal)
    assert set(Preferences().options()) <= {f.name for f in dataclasses.fields(Options)}
    elsewhere = [row for row in SETTINGS if row.name.startswith("TWITCH_") or row.name in (
        "FOCUS_DATA_DIR", "FOCUS_DEVLOG_PIPE")]  # config.Settings reads these
    assert elsewhere and all(row.field == "" and row.check is None for row in elsewhere)
    assert read({}) == Preferences()  # the defaults are what an empty environment gives
    assert Options(**read({}).options()) == Options()


def test_flags_override_the_environment_where_settings_are_read():
    env = {"FOCUS_EVENTS": "nonsense", "FOCUS_SCREEN": "sideways", "FOCUS_HISTORY": "on", "FOCUS_HOLD_NEW": "0"}
    with pytest.raises(ConfigError, match="unknown event group 'nonsense'"):
        read(env)
    chosen = read(env, events="chat,raids", lines=True, no_history=True, hold_new=True)
    assert (chosen.events, chosen.lines, chosen.history, chosen.hold_new) == (
        frozenset({"chat", "raids"}), True, False, True)
    assert read({"FOCUS_EVENTS": "chat"}, events="").events is None  # --events "" is all of them, as before


@pytest.mark.parametrize("name, text, words", [
    ("FOCUS_DESK_ROWS", "1", "FOCUS_DESK_ROWS='1' is not a number of rows from 2 to 10"),
    ("FOCUS_REMOVED", "blur", "FOCUS_REMOVED='blur' is neither dim nor hide"),
    ("FOCUS_SCREEN", "full", "FOCUS_SCREEN='full' is neither screen nor lines"),
    ("FOCUS_THEME", "Sepia", "FOCUS_THEME='sepia' is not a theme focus knows"),
    ("FOCUS_HIDE_WORDS", "/(a+)+/", "FOCUS_HIDE_WORDS: focus refuses the pattern /(a+)+/"),
    ("FOCUS_DEMO_SPEED", "0", "FOCUS_DEMO_SPEED must be a whole number from 1 to 100"),
])
def test_a_wrong_setting_is_one_config_error_naming_it(name, text, words):
    with pytest.raises(ConfigError) as caught:
        read({name: text})
    assert words in caught.value.message and "\n" not in caught.value.message
    with pytest.raises(ConfigError, match=re.escape(words)):  # one setting alone, as a one-shot command reads it
        value({name: text}, name)


def test_the_filters_are_read_once_in_the_settings_order():
    chosen = read({"FOCUS_HIDE_USERS": "@Nightbot, StreamElements", "FOCUS_HIGHLIGHT_WORDS": "rust, /a{1,3}/"})
    assert [getattr(chosen, name.removeprefix("FOCUS_").lower()) for name in FILTERS] == [
        (), ("rust", "/a{1,3}/"), ("@Nightbot", "StreamElements"), ()]


def test_focus_config_masks_a_password_in_a_url_and_says_what_each_setting_is(tmp_path):
    import inproc

    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_RUNTIME_DIR": str(tmp_path / "run"),
           "TWITCH_API_URL": "https://proxyuser:hunter2-pass@127.0.0.1:9/helix",
           "TWITCH_EVENTSUB_URL": "wss://127.0.0.1:9/ws"}
    done = inproc.run("focus.py", ["config"], env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hunter2-pass" not in done.stdout
    line = next(line for line in done.stdout.splitlines() if line.startswith("TWITCH_API_URL "))
    assert re.split(r"\s{2,}", line)[1:] == ["https://proxyuser:***@127.0.0.1:9/helix", "environment", "# Helix"]
    done = inproc.run("focus.py", ["config"], {**env, "FOCUS_DESK_ROWS": "99"}, cwd=tmp_path)
    assert done.returncode == 2 and "FOCUS_DESK_ROWS='99' is not a number of rows" in done.stderr  # as focus says


def test_a_password_in_twitch_s_urls_never_reaches_a_status_line_or_doctor():
    from focuslib.cli.doctor import check_eventsub
    from focuslib.twitch.session import Session, Status

    actions = Session("wss://proxyuser:hunter2-pass@127.0.0.1:9/ws", ()).start(0.0)
    assert [a.text for a in actions if isinstance(a, Status)] == ["connecting to 127.0.0.1:9..."]
    check = check_eventsub("ws://proxyuser:hunter2-pass@127.0.0.1:9/ws", 0.5)  # nothing listens on port 9
    assert check.status == "FAIL" and "hunter2" not in str(check) and "127.0.0.1:9" in check.detail


def test_doctor_says_a_wrong_setting_of_focus_s_own(tmp_path):
    from focuslib.cli.doctor import check_settings

    said = []
    env = {"TWITCH_CLIENT_ID": "abc", "FOCUS_DATA_DIR": str(tmp_path), "FOCUS_REMOVED": "blur"}
    assert check_settings(env, said.append) is not None  # the token and Twitch are still checked
    assert [(c.status, c.detail) for c in said] == [("FAIL", "FOCUS_REMOVED='blur' is neither dim nor hide")]
    said.clear()
    check_settings({**env, "FOCUS_REMOVED": "hide"}, said.append)
    assert [c.status for c in said] == ["ok"]


@pytest.mark.parametrize("name, url", [
    ("TWITCH_API_URL", "ftp://proxyuser:hunter2-pass@proxy.example/helix"),  # a scheme focus does not speak
    ("TWITCH_EVENTSUB_URL", "wss://proxyuser:hunter2-pass@proxy.example:99999/ws"),  # a port out of range
    ("TWITCH_AUTH_URL", "https://proxyuser:hunter2-pass@[::1/oauth2"),  # an unclosed bracket
])
def test_a_wrong_url_s_error_masks_its_password(tmp_path, name, url):
    """focus config masks a URL's password in its table; the one line that says the URL is wrong (focus config
    under its table, doctor's settings check, focus itself at start) masks it too."""
    import inproc
    from focuslib.cli.doctor import check_settings
    from focuslib.config import Settings

    env = {"TWITCH_CLIENT_ID": "abc", "FOCUS_DATA_DIR": str(tmp_path), name: url}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert name in caught.value.message and "proxyuser:***@" in caught.value.message
    assert "hunter2" not in str(caught.value)
    said = []
    check_settings(env, said.append)
    assert [c.status for c in said] == ["FAIL"] and "hunter2" not in str(said)
    done = inproc.run("focus.py", ["config"], {**env, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                                              "XDG_RUNTIME_DIR": str(tmp_path / "run")}, cwd=tmp_path)
    assert done.returncode == 2 and name in done.stderr
    assert "hunter2" not in done.stdout + done.stderr
