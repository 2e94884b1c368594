"""The scripts as a streamer runs them: real processes, signals, the real FIFO between them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

import pytest

from conftest import ESC, N_SUBS, ROOT, Sink, t




class Proc:
    """A script in a subprocess; its stdout collected in a Sink (stderr kept apart)."""

    def __init__(self, args: list[str], env: dict[str, str], preexec_fn: Callable[[], None] | None = None) -> None:
        self.out = Sink()
        self.err = Sink()
        self.p = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, encoding="utf-8", preexec_fn=preexec_fn)
        self._threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out), daemon=True),
                         threading.Thread(target=self._pump, args=(self.p.stderr, self.err), daemon=True)]
        for th in self._threads:
            th.start()

    @staticmethod
    def _pump(stream, sink: Sink) -> None:
        for line in stream:
            sink.write(line)

    def signal(self, sig: int) -> None:
        self.p.send_signal(sig)

    def wait(self, timeout: float) -> int:
        code = self.p.wait(t(timeout))
        for th in self._threads:
            th.join(t(2))
        return code

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        for th in self._threads:
            th.join(t(2))
        for stream in (self.p.stdout, self.p.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    env.update({"XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"),
                "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1",
                "FOCUS_DEMO_SPEED": "4"})  # the demo's script at 4x its pace: its lines come within a second
    return env


@pytest.fixture
def procs():
    started: list[Proc] = []

    def run(args: list[str], env: dict[str, str]) -> Proc:
        proc = Proc(args, env)
        started.append(proc)
        return proc

    yield run
    for proc in started:
        proc.kill()


def run_once(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=t(30))


@pytest.mark.parametrize("script", ["focus.py", "devlog.py"])
def test_every_script_has_help(script, cli_env):
    res = run_once([script, "--help"], cli_env)
    assert res.returncode == 0 and "usage:" in res.stdout and res.stderr == ""


@pytest.mark.parametrize("extra, words", [
    ({}, "TWITCH_CLIENT_ID is not set"),
    ({"TWITCH_CLIENT_ID": "abc"}, "run make auth"),
    ({"TWITCH_CLIENT_ID": "abc", "TWITCH_USER_ACCESS_TOKEN": "x", "TWITCH_USER_ID": "quietfox"}, "TWITCH_USER_ID"),
    ({"TWITCH_CLIENT_ID": "abc", "TWITCH_USER_ACCESS_TOKEN": "x", "TWITCH_EVENTSUB_URL": "http://nope"},
     "TWITCH_EVENTSUB_URL"),
    ({"TWITCH_CLIENT_ID": "abc", "TWITCH_USER_ACCESS_TOKEN": "x", "TWITCH_API_URL": "ftp://x"}, "TWITCH_API_URL"),
])
def test_settings_errors_name_the_variable_and_exit_2_without_a_traceback(cli_env, extra, words):
    res = run_once(["focus.py", "--no-devlog"], {**cli_env, **extra})
    assert res.returncode == 2, res.stderr
    assert words in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2


def test_dotenv_is_read_and_the_environment_wins(tmp_path, cli_env):
    work = tmp_path / "proj"
    work.mkdir()
    (work / ".env").write_text("TWITCH_CLIENT_ID=from-dotenv\nTWITCH_USER_ID=notanumber\n")
    script = ROOT / "focus.py"
    res = subprocess.run([sys.executable, str(script), "--no-devlog"], cwd=work, env=cli_env, capture_output=True,
                         text=True, timeout=t(30))
    assert res.returncode == 2 and "notanumber" in res.stderr  # .env was read
    res = subprocess.run([sys.executable, str(script), "--no-devlog"], cwd=work,
                         env={**cli_env, "TWITCH_USER_ID": "123"}, capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 2 and "notanumber" not in res.stderr and "make auth" in res.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_demo_shows_a_live_channel_and_stops_cleanly_on_a_signal(procs, cli_env, sig):
    demo = procs(["focus.py", "--demo"], cli_env)
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    demo.out.wait_for(lambda text: text.count(": ") >= 2, timeout=20)  # chat lines arrived
    demo.signal(sig)
    assert demo.wait(2) == 0
    assert "Traceback" not in demo.err.text
    from focuslib.runtime.pidfile import PidFile

    assert PidFile(Path(cli_env["FOCUS_DATA_DIR"])).running_pid() is None  # the lock went with the process


def test_make_stop_stops_a_focus_in_another_terminal_and_trigger_fires_events(procs, cli_env):
    demo = procs(["focus.py", "--demo"], cli_env)
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    res = run_once(["-m", "focuslib.sim", "trigger", "follow"], cli_env)
    assert res.returncode == 0, res.stderr
    demo.out.wait_text("New_Friend_")
    second = run_once(["focus.py", "--demo"], cli_env)  # one focus per devlog pipe
    assert second.returncode == 2 and "already running" in second.stderr
    res = run_once(["focus.py", "stop"], cli_env)
    assert res.returncode == 0 and "stopped focus" in res.stdout
    assert demo.wait(3) == 0
    res = run_once(["focus.py", "stop"], cli_env)
    assert (res.returncode, res.stdout) == (0, "focus is not running; nothing to stop.\n")


def test_no_color_means_no_escape_sequences_even_when_forced(procs, cli_env):
    demo = procs(["focus.py", "--demo", "--color", "always"], {**cli_env, "NO_COLOR": "1"})
    demo.out.wait_for(lambda text: text.count(": ") >= 3, timeout=20)
    demo.signal(signal.SIGINT)
    assert demo.wait(2) == 0
    assert not ESC.search(demo.out.text)


def test_devlog_waits_for_focus_shows_frames_and_survives_a_restart(procs, cli_env):
    devlog = procs(["devlog.py", "--raw"], cli_env)
    for round_ in (1, 2):
        # This round's chat, not the first round's: it may have sent more than two before it stopped, and a
        # Ctrl-C at once then came before the second focus's Python could take it (killed by SIGINT, -2).
        start = len(devlog.out.text)
        demo = procs(["focus.py", "--demo"], cli_env)
        devlog.out.wait_for(lambda text: text[start:].count('"channel.chat.message"') >= 2, timeout=20)
        demo.signal(signal.SIGINT)
        assert demo.wait(2) == 0
        devlog.out.wait_text('"focus_stopped"', count=round_)
    records = [json.loads(line) for line in devlog.out.lines()]
    assert {"frame", "lifecycle"} <= {r["kind"] for r in records}
    frames = [r["frame"]["metadata"]["message_type"] for r in records if r["kind"] == "frame"]
    assert "session_welcome" in frames and "notification" in frames
    assert all(isinstance(r["ts"], float) for r in records)
    devlog.signal(signal.SIGINT)
    assert devlog.wait(2) == 0


def test_devlog_pretty_filters_and_one_reader_per_pipe(procs, cli_env):
    pretty = procs(["devlog.py", "--no-keepalive", "--type", "notification", "--color", "never"], cli_env)
    pretty.out.wait_text("waiting for focus")  # started first: it waits
    second = run_once(["devlog.py"], cli_env)
    assert second.returncode == 1 and "another devlog is already reading" in second.stderr
    demo = procs(["focus.py", "--demo"], cli_env)
    pretty.out.wait_text("notification channel.chat.message", count=2, timeout=20)
    demo.signal(signal.SIGINT)
    assert demo.wait(2) == 0
    pretty.out.wait_text("focus went away")
    text = pretty.out.text
    assert "session_keepalive" not in text and "session_welcome" not in text and "lifecycle" not in text
    assert '"chatter_user_login": "pixel_otter"' in text  # pretty-printed JSON
    pretty.signal(signal.SIGTERM)
    assert pretty.wait(2) == 0


def test_devlog_paints_with_the_view_styles_and_no_color_wins_over_always(procs, cli_env):
    painted = procs(["devlog.py", "--color", "always"], cli_env)
    painted.out.wait_text("waiting for focus")
    painted.signal(signal.SIGTERM)
    assert painted.wait(2) == 0
    assert "\x1b[2m-- waiting for focus" in painted.out.text  # view/style's QUIET, painted by layout.paint
    plain = procs(["devlog.py", "--color", "always"], {**cli_env, "NO_COLOR": "1"})
    plain.out.wait_text("waiting for focus")
    plain.signal(signal.SIGTERM)
    assert plain.wait(2) == 0
    assert not ESC.search(plain.out.text)


def test_a_stale_pid_file_of_another_program_is_not_killed(cli_env):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        data_dir = Path(cli_env["FOCUS_DATA_DIR"])
        data_dir.mkdir(parents=True, mode=0o700)
        (data_dir / "focus.pid").write_text(f"{sleeper.pid}\n")
        res = run_once(["focus.py", "stop"], cli_env)
        assert (res.returncode, res.stdout) == (0, "focus is not running; nothing to stop.\n")
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_reader_that_stops_reading_ends_focus_quietly(cli_env):
    """`focus.py --demo | head -3`: the pipe closes under focus; that is not a crash."""
    proc = subprocess.Popen([sys.executable, "focus.py", "--demo", "--no-devlog"], cwd=ROOT, env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(3):
        proc.stdout.readline()
    proc.stdout.close()  # like head exiting
    try:
        code = proc.wait(t(30))
    finally:
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert code == 0 and "unexpected error" not in err and "Traceback" not in err, err
    assert not list(Path(cli_env["XDG_RUNTIME_DIR"]).rglob("last-crash.txt"))


def test_the_demo_speed_is_a_whole_number_from_1_to_100(cli_env):
    from focuslib.errors import ConfigError
    from focuslib.settings import value

    def demo_speed(env):
        return value(env, "FOCUS_DEMO_SPEED")

    speeds = [demo_speed({}), demo_speed({"FOCUS_DEMO_SPEED": " 4 "}), demo_speed({"FOCUS_DEMO_SPEED": "100"})]
    assert speeds == [1, 4, 100]
    for bad in ("0", "101", "1.5", "fast", "²", "9" * 400):
        with pytest.raises(ConfigError, match="FOCUS_DEMO_SPEED must be a whole number from 1 to 100"):
            demo_speed({"FOCUS_DEMO_SPEED": bad})
    done = run_once(["focus.py", "--demo", "--no-devlog"], {**cli_env, "FOCUS_DEMO_SPEED": "0"})
    assert done.returncode == 2 and "FOCUS_DEMO_SPEED must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") <= 2
