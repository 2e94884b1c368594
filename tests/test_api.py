"""The public Python API against the simulated Twitch: focuslib.connect's events and talking back, the two
examples as a streamer runs them, and focuslib.start() in a real `python -i` in a pty."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, Sink, t
from focuslib.sim.triggers import chat_as, fire
from ptyterm import PtyFocus
from secret_guard import seen


@pytest.fixture
def api_env(env, monkeypatch) -> dict[str, str]:
    """The simulator's settings in this process's environment (connect() reads them like focus does)."""
    for name in [n for n in os.environ if n.startswith(("TWITCH_", "FOCUS_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", env["HOME"] + "/cfg")
    return env


def test_connect_yields_typed_events_and_talks_back(sim, api_env):
    import focuslib

    with focuslib.connect() as chat:
        fire(sim, "follow")
        chat_as(sim, "Curious_Cat", "@deskfox \x1b[2Jis that vim?")
        seen_events = []
        while not any(isinstance(e, focuslib.ChatMessage) for e in seen_events):
            event = chat.next(timeout=t(10))
            assert event is not None, seen_events
            seen_events.append(event)
        follow = next(e for e in seen_events if isinstance(e, focuslib.Follow))
        message = next(e for e in seen_events if isinstance(e, focuslib.ChatMessage))
        assert follow.user.login.startswith("new_friend_") and "followed" in chat.line(follow)
        assert message.chatter.login == "curious_cat" and focuslib.is_question(message)
        assert "\x1b" in message.text and "\x1b" not in chat.line(message)  # raw record, sanitized line
        said = chat.say("hello from python")
        assert said.ok and said.text == "sent"
        [req] = sim.requests_to("POST", "/helix/chat/messages")
        assert json.loads(req.body)["message"] == "hello from python"
        assert chat.reply("curious_cat", "it is neovim").ok
        reply = json.loads(sim.requests_to("POST", "/helix/chat/messages")[1].body)
        assert reply["reply_parent_message_id"] == message.message_id
        banned = chat.ban("curious_cat", "spam links")
        assert banned.ok and "banned" in banned.text
        assert chat.timeout("loud_kettle", "10m").ok
        assert not chat.command("/slow 9999").ok  # the grammar's one-line answer, never an exception
        assert chat.running
    assert not chat.running
    rest = list(chat)  # what came before the stop, then the iterator ends
    assert all(type(e).__module__.startswith("focuslib.twitch.events") for e in rest)
    assert chat.next(timeout=0) is None
    assert threading.current_thread() is threading.main_thread()  # it ran beside us, no signal handler set


def test_connect_without_settings_raises_what_to_do(api_env, monkeypatch):
    import focuslib
    from focuslib.errors import ConfigError

    monkeypatch.delenv("TWITCH_CLIENT_ID")
    with pytest.raises(ConfigError, match="TWITCH_CLIENT_ID is not set"):
        focuslib.connect()


def run_example(name: str, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], Sink]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples" / name), *args], cwd=env["HOME"],
                            env={**clean, **env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out = Sink()
    threading.Thread(target=lambda: [out.write(line) for line in proc.stdout], daemon=True).start()
    return proc, out


def end(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=t(10))
    seen("example stderr", err)
    assert proc.returncode == 0, err
    return err


def test_the_bell_example_rings_on_a_follow_and_a_raid(sim, env):
    proc, out = run_example("bell_on_follow.py", env)
    try:
        out.wait_text("listening for follows")
        fire(sim, "follow")
        fire(sim, "raid")
        chat_as(sim, "someone", "no bell for chat")
        out.wait_for(lambda text: text.count("\a") >= 2)
        lines = [line for line in out.lines() if line.startswith("\a")]
        assert "followed" in lines[0] and "raid" in lines[1].lower(), lines
        assert "no bell for chat" not in out.text
    finally:
        err = end(proc)
    assert "Traceback" not in err


def test_the_questions_example_keeps_questions_only_sanitized(sim, env, tmp_path):
    # The file is a FIFO the test reads as the example writes, so the test waits for the lines themselves
    # (a regular file's lines came with no event to wait on: the wait ran to its 10 s timeout every time).
    target = tmp_path / "questions.txt"
    os.mkfifo(target)
    written = Sink()

    def read() -> None:
        with open(target, encoding="utf-8", newline="") as fifo:
            for line in fifo:
                written.write(line)

    reader = threading.Thread(target=read, name="questions-fifo", daemon=True)
    reader.start()
    proc, out = run_example("questions_to_file.py", env, str(target))
    try:
        out.wait_text("writing questions to")
        chat_as(sim, "Curious_Cat", "@DeskFox what font is that?\x1b]0;pwned\x07")
        chat_as(sim, "Chatty", "nice stream")
        chat_as(sim, "Queue_Fan", "!q when is the next stream?")
        written.wait_for(lambda text: text.count("\n") >= 2)
    finally:
        end(proc)
    reader.join(t(5))
    assert not reader.is_alive()  # the example closed the file: everything it wrote was read
    lines = written.text.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["Curious_Cat: @DeskFox what font is that?",
                                                         "Queue_Fan: !q when is the next stream?"]
    assert "\x1b" not in written.text and "\x07" not in written.text


def type_while_a_follow_arrives(repl: PtyFocus, sim) -> None:
    """Half a line typed at the REPL's prompt when a follow comes: it shows above, the prompt and what was typed
    stay on the cursor's row, and the line finishes as typed."""
    repl.send("6 *")
    fire(sim, "follow")
    repl.wait_for(lambda: any("followed" in row for row in repl.scrollback()), what="the follow")
    repl.wait_for(lambda: repl.cursor_row().startswith(">>> 6 *"), what="the prompt and what was typed")
    repl.send(" 7\r")
    repl.wait_text("42")


def test_start_prints_chat_above_a_plain_python_repl_prompt(sim, env, tmp_path):
    repl = PtyFocus({**env, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PYTHONSTARTUP": ""},
                    argv=[sys.executable, "-i", "-q"], cwd=tmp_path)
    try:
        repl.wait_raw(b">>> ")
        repl.send("import focuslib; h = focuslib.start()\r")
        repl.wait_raw(b"subscribed")
        type_while_a_follow_arrives(repl, sim)
        repl.send("h.stop(); h.running\r")
        repl.wait_text("False")
        repl.send("exit()\r")
        assert repl.exit_code() == 0
    finally:
        repl.close()
    screen = "\n".join(repl.scrollback())
    assert "Traceback" not in screen and "signal only works in main thread" not in screen


# A REPL on prompt_toolkit, as ptpython and IPython are: a PromptSession reads each line, the code runs between
# two prompts.  The module name is how focuslib.start() tells such a REPL from the plain one (replout.py).
PROMPT_TOOLKIT_REPL = """\
import sys, types
sys.modules["ptpython"] = types.ModuleType("ptpython")
from prompt_toolkit import PromptSession
import focuslib

session = PromptSession()
while True:
    try:
        line = session.prompt(">>> ")
    except EOFError:
        break
    if line == "start":
        h = focuslib.start()
    elif line == "stop":
        h.stop()
        print("running", h.running)
    else:
        print(eval(line))
"""


def test_start_prints_chat_above_a_prompt_toolkit_repl_prompt(sim, env, tmp_path):
    """Under ptpython or IPython focus's lines go through prompt_toolkit (patch_stdout), which draws the prompt
    again below them; they went straight to the terminal (stdout's file descriptor), over the prompt."""
    script = tmp_path / "repl.py"
    script.write_text(PROMPT_TOOLKIT_REPL)
    repl = PtyFocus({**env, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}, argv=[sys.executable, str(script)],
                    cwd=tmp_path)
    try:
        repl.wait_text(">>>")
        repl.send("start\r")
        repl.wait_for(lambda: any("subscribed" in row for row in repl.scrollback()), what="focus subscribed")
        type_while_a_follow_arrives(repl, sim)
        repl.send("stop\r")
        repl.wait_text("running False")
        repl.send(b"\x04")
        assert repl.exit_code() == 0
    finally:
        repl.close()
    rows = repl.scrollback()
    assert not [row for row in rows if "followed" in row and ">>>" in row], rows  # never written over the prompt
    assert "Traceback" not in "\n".join(rows)


def test_start_that_cannot_connect_leaves_no_thread_behind(api_env, monkeypatch):
    """Under a prompt_toolkit REPL start() makes a StdoutProxy, which has a thread: a start that raised left it
    running for the rest of the session."""
    import types

    import focuslib
    from focuslib.errors import ConfigError

    import prompt_toolkit  # noqa: F401  (the REPL runs on it)

    monkeypatch.setitem(sys.modules, "ptpython", types.ModuleType("ptpython"))
    monkeypatch.delenv("TWITCH_CLIENT_ID")
    before = set(threading.enumerate())
    with pytest.raises(ConfigError, match="TWITCH_CLIENT_ID is not set"):
        focuslib.start()
    assert [th.name for th in threading.enumerate() if th not in before] == []


@pytest.mark.parametrize("name, args", [("bell_on_follow.py", []), ("questions_to_file.py", ["questions.txt"])])
def test_an_example_that_cannot_connect_says_what_to_do_without_a_traceback(name, args, sim, env):
    proc, _ = run_example(name, {k: v for k, v in env.items() if k != "TWITCH_CLIENT_ID"}, *args)
    _, err = proc.communicate(timeout=t(30))
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert err.splitlines()[0] == f"{name}: TWITCH_CLIENT_ID is not set" and len(err.splitlines()) == 2, err
