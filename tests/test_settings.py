"""Settings that follow you: the environment, ./.env, then $XDG_CONFIG_HOME/focus/config.env; `focus config`
shows each with its origin; `focus setup` writes the config file and signs in, in a real terminal."""

from __future__ import annotations

import ast
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from authkit import SECRET, START_URL, free_port, store_path, strict
from conftest import ROOT, Browser, t
from focuslib.settings import SETTINGS, known
from ptyterm import PtyFocus
from secret_guard import seen


def shell(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR", "XDG_"))}
    env.update({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "PYTHONUNBUFFERED": "1",
                "XDG_RUNTIME_DIR": str(tmp_path / "run"), **extra})
    return env


def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=t(30))
    seen("focus stdout", done.stdout)
    seen("focus stderr", done.stderr)
    return done


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cfg" / "focus" / "config.env"
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def config_lines(output: str, meanings: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """`focus config`'s table: name -> (value, origin); what each is (after `  # `) into `meanings`."""
    found = {}
    for line in output.splitlines()[1:]:
        line, _, meaning = line.partition("  # ")
        name, value, origin = (re.split(r"\s{2,}", line.rstrip()) + ["", ""])[:3]
        found[name] = (value, origin)
        if meanings is not None:
            meanings[name] = meaning
    return found


def test_the_environment_then_dotenv_then_the_config_file_each_shown_with_its_origin(tmp_path):
    config = write_config(tmp_path, "TWITCH_CLIENT_ID=from-config\nFOCUS_THEME=light\nFOCUS_EVENTS=chat\n"
                                    "TWITCH_SECRET=config-secret-value-123\nFOCUS_HISTROY=off\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("FOCUS_THEME=dark\nFOCUS_EVENTS=follows\n")
    done = run(shell(tmp_path, FOCUS_EVENTS="raids"), "config", cwd=project)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith(f"read in this order, the first place that sets a value wins: environment, "
                                  "~/project/.env, ~/cfg/focus/config.env\n")  # HOME is tmp_path
    meanings: dict[str, str] = {}
    shown = config_lines(done.stdout, meanings)
    assert shown["FOCUS_EVENTS"] == ("raids", "environment")
    assert shown["FOCUS_THEME"] == ("dark", "~/project/.env")
    assert shown["TWITCH_CLIENT_ID"] == ("from-config", "~/cfg/focus/config.env")
    assert shown["TWITCH_SECRET"] == ("set", "~/cfg/focus/config.env")  # never the value
    assert "config-secret-value-123" not in done.stdout
    assert shown["TWITCH_REFRESH_TOKEN"] == ("unset", "")
    assert shown["TWITCH_REDIRECT_URI"] == ("http://localhost:3000", "default")
    assert shown["FOCUS_DATA_DIR"] == (str(tmp_path / ".local/share/focus"), "default")  # the value in effect
    assert shown["FOCUS_HISTROY"] == ("unknown setting: focus ignores it (a typo?)", "~/cfg/focus/config.env")
    assert set(shown) == {row.name for row in SETTINGS} | {"FOCUS_HISTROY"}
    assert meanings == {**{row.name: row.meaning for row in SETTINGS}, "FOCUS_HISTROY": ""}  # what each one is
    assert config.read_text().startswith("TWITCH_CLIENT_ID=from-config")  # only read


def test_focus_uses_the_config_file_from_any_directory(tmp_path):
    write_config(tmp_path, "TWITCH_CLIENT_ID=abc\nTWITCH_USER_ID=notanumber\n")
    elsewhere = tmp_path / "another-project"
    elsewhere.mkdir()
    done = run(shell(tmp_path), "--no-devlog", cwd=elsewhere)
    assert done.returncode == 2 and "TWITCH_USER_ID='notanumber' is not a numeric user id" in done.stderr
    done = run(shell(tmp_path), "config", cwd=elsewhere)  # config shows what is wrong, and exits 2 too
    assert done.returncode == 2 and config_lines(done.stdout)["TWITCH_USER_ID"][0] == "notanumber"


def test_a_config_file_others_can_read_is_made_private_and_one_of_another_user_is_refused(tmp_path):
    config = write_config(tmp_path, "TWITCH_CLIENT_ID=abc\n")
    config.chmod(0o644)
    done = run(shell(tmp_path), "config", cwd=tmp_path)
    assert done.returncode == 0 and stat.S_IMODE(config.stat().st_mode) == 0o600
    if os.getuid() != 0:
        pytest.skip("giving the file to another user needs root")
    os.chown(config, 65534, 65534)
    done = run(shell(tmp_path), "stop", cwd=tmp_path)
    assert done.returncode == 2 and f"{config} belongs to another user" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_dotenv_other_users_can_change_is_refused_in_one_line(tmp_path):
    """A .env decides where focus signs in: one that others may write could send the secret to their server."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("TWITCH_CLIENT_ID=abc\n")
    dotenv.chmod(0o666)
    done = run(shell(tmp_path), "stop", cwd=tmp_path)
    assert done.returncode == 2 and ".env can be changed by other users (mode 0666)" in done.stderr
    assert "chmod go-w .env" in done.stderr and "Traceback" not in done.stderr
    dotenv.chmod(0o644)
    done = run(shell(tmp_path), "stop", cwd=tmp_path)
    assert "can be changed" not in done.stderr and done.returncode != 2, done.stderr  # read: nothing to stop


def test_a_group_writable_file_is_refused_only_when_the_group_has_someone_else():
    from focuslib.config import others_can_write

    me = os.getuid()

    def file(mode: int) -> os.stat_result:
        return os.stat_result((mode, 0, 0, 1, me, 4242, 0, 0, 0, 0))

    alone, shared = (lambda gid: {me}), (lambda gid: {me, me + 1})
    assert not others_can_write(file(0o100664), alone)  # a user private group (umask 002): yours alone
    assert others_can_write(file(0o100664), shared)
    assert others_can_write(file(0o100646), alone)  # anyone may write it
    assert not others_can_write(file(0o100644), shared)


def test_every_setting_the_code_reads_has_a_row_and_help_lists_them_all(tmp_path):
    read = set()
    for path in (ROOT / "focuslib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"(TWITCH|FOCUS)_[A-Z0-9_]+", node.value):
                read.add(node.value)
    assert read and [name for name in sorted(read) if known(name) is None] == []
    done = run(shell(tmp_path), "--help", cwd=tmp_path)
    assert all(f"  {row.name}  " in done.stdout for row in SETTINGS)


def test_a_family_of_settings_lists_each_member_that_is_set():
    from focuslib.cli.showconfig import rows
    from focuslib.config import Source
    from focuslib.settings import Setting

    import focuslib.settings as table

    family = Setting("FOCUS_TESTFAMILY_*", "a family")
    old = table.SETTINGS
    try:
        table.SETTINGS = old + (family,)
        import focuslib.cli.showconfig as showconfig

        showconfig.SETTINGS = table.SETTINGS
        shown = rows([Source("environment", {"FOCUS_TESTFAMILY_B": "2", "FOCUS_TESTFAMILY_A": "1"})], None)
        assert [row for row in shown if row[0].startswith("FOCUS_TESTFAMILY")] == [
            ("FOCUS_TESTFAMILY_A", "1", "environment"), ("FOCUS_TESTFAMILY_B", "2", "environment")]
        assert rows([Source("environment", {})], None)[-1] == ("FOCUS_TESTFAMILY_*", "(unset)", "")
    finally:
        table.SETTINGS = showconfig.SETTINGS = old


# -- focus setup, in a real terminal ----------------------------------------------------------------------------------


def setup_env(tmp_path: Path, sim_env: dict[str, str]) -> dict[str, str]:
    """Twitch (the simulator) from the environment; the app's id and secret are what setup asks for."""
    env = shell(tmp_path, FOCUS_DATA_DIR=str(tmp_path / "data"), NO_COLOR="1")
    env.update({k: v for k, v in sim_env.items() if k in ("TWITCH_EVENTSUB_URL", "TWITCH_API_URL", "TWITCH_AUTH_URL")})
    return env


def answer(term: PtyFocus, prompt: str, text: str) -> None:
    term.wait_text(prompt)
    term.send(text + "\r")


def test_setup_asks_saves_privately_signs_in_and_a_second_run_changes_only_what_is_asked(sim, env, tmp_path):
    port = free_port()
    redirect = f"http://127.0.0.1:{port}"
    strict(sim, redirect)
    senv = setup_env(tmp_path, env)
    term = PtyFocus(senv, ["setup", "--no-browser"])
    try:
        answer(term, "Client ID:", sim.client_id)
        answer(term, "Client secret (not shown as you type):", SECRET)
        answer(term, "OAuth Redirect URL [http://localhost:3000]:", redirect)
        term.wait_raw(b"Waiting for Twitch")
        start = START_URL.search(bytes(term.raw).decode())
        assert start, bytes(term.raw).decode()
        with Browser() as http:
            http.get(start.group(1))
            connect = http.get(start.group(1).split("?")[0] + "connect", allow_redirects=False)
            assert http.get(connect.headers["Location"]).status_code == 200
        term.wait_text("Connected to Twitch as")
        assert term.exit_code() == 0
    finally:
        term.close()
    screen = bytes(term.raw).decode()
    assert SECRET not in screen  # typed without echo
    config = tmp_path / "cfg" / "focus" / "config.env"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600 and stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    from dotenv import dotenv_values

    assert dotenv_values(config) == {"TWITCH_CLIENT_ID": sim.client_id, "TWITCH_SECRET": SECRET,
                                     "TWITCH_REDIRECT_URI": redirect}
    stored = store_path({"FOCUS_DATA_DIR": senv["FOCUS_DATA_DIR"], "TWITCH_CLIENT_ID": sim.client_id})
    assert json.loads(stored.read_text())["login"] == sim.broadcaster[1]

    # Again, with a line of the user's own: Enter keeps each value, nothing is written, no second sign-in.
    config.write_text(config.read_text() + "FOCUS_THEME='light'  # mine\n")
    before = config.read_text()
    term = PtyFocus(senv, ["setup", "--no-browser"])
    try:
        answer(term, f"Client ID [{sim.client_id}]:", "")
        answer(term, "[set; Enter keeps it]:", "")
        answer(term, f"OAuth Redirect URL [{redirect}]:", "")
        term.wait_text("Nothing changed in")
        answer(term, "Sign in again? [y/N]", "")
        term.wait_text("Done.")
        assert term.exit_code() == 0
    finally:
        term.close()
    assert config.read_text() == before

    # A third run changes the redirect URL only: one line changes, the rest stays as it was.
    other = f"http://127.0.0.1:{free_port()}/oauth"
    term = PtyFocus(senv, ["setup", "--no-browser"])
    try:
        answer(term, "Client ID [", "")
        answer(term, "[set; Enter keeps it]:", "")
        answer(term, "OAuth Redirect URL [", "ftp://nowhere")
        term.wait_text("will not do")
        answer(term, "OAuth Redirect URL [", other)
        term.wait_text("Saved TWITCH_REDIRECT_URI in")
        answer(term, "Sign in again? [y/N]", "n")
        assert term.exit_code() == 0
    finally:
        term.close()
    assert config.read_text() == before.replace(f"TWITCH_REDIRECT_URI='{redirect}'", f"TWITCH_REDIRECT_URI='{other}'")


def test_setup_outside_a_terminal_says_so_and_ctrl_c_changes_nothing(sim, env, tmp_path):
    done = run(shell(tmp_path), "setup", cwd=tmp_path)
    assert done.returncode == 2 and "setup asks questions: run it in a terminal" in done.stderr
    term = PtyFocus(setup_env(tmp_path, env), ["setup"])
    try:
        answer(term, "Client ID:", "abc123")
        term.wait_text("Client secret")
        term.send(b"\x03")
        term.wait_text("nothing more was changed")
        assert term.exit_code() == 130
    finally:
        term.close()
    assert not (tmp_path / "cfg" / "focus" / "config.env").exists()
