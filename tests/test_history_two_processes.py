"""Two processes on one history: a running focus.py writing chat while one-shot commands read and write it.

The issue: focus and a one-shot command on the same data directory never corrupt it or block each other's
chat.  A chatter keeps talking the whole time (focus must keep showing every message), while
`questions --done`, `history`, `links`, `recap` and `questions` run -- several at once -- in processes of
their own against the same SQLite file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from focuslib.store.schema import db_path

from conftest import N_SUBS, t
from test_cli import Proc
from test_history_flow import ANN, BOB, CY, real_shell, say


def committed(path: Path, sql: str, want: int) -> None:
    """Wait until a reader of our own sees `want` from `sql` (the writer's batch is committed)."""
    deadline = time.monotonic() + t(30)
    while True:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if conn.execute(sql).fetchone()[0] >= want:
                    return
            finally:
                conn.close()
        except sqlite3.OperationalError:
            pass  # not created yet
        assert time.monotonic() < deadline, f"never committed: {sql}"
        threading.Event().wait(0.05)


def test_one_shot_commands_beside_a_running_focus_neither_blocks_chat_nor_corrupts(sim, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    path = db_path(Path(env["FOCUS_DATA_DIR"]))
    focus = Proc(["focus.py", "--no-devlog", "--color", "never", "--no-timestamps"],
                 {**clean, **env, "PYTHONUNBUFFERED": "1"})
    stop_talking = threading.Event()
    sent: list[int] = []

    def talk() -> None:
        """Cy talks without a pause; every 50 messages, focus must have shown the last one."""
        k = 0
        while not stop_talking.is_set():
            say(sim, CY, f"flow #{k}")
            sent.append(k)
            if k % 50 == 49:
                focus.out.wait_text(f"Cy: flow #{k}\n", timeout=30)
            k += 1

    talker = threading.Thread(target=talk, daemon=True)
    try:
        sim.wait_subscribed(N_SUBS, timeout=t(20))
        say(sim, ANN, "@DeskFox first question, which terminal?")
        say(sim, BOB, "!q second question, which font?")
        say(sim, ANN, "my dotfiles: https://example.com/ann/dotfiles")
        focus.out.wait_text("Ann: my dotfiles")
        committed(path, "SELECT count(*) FROM links", 1)
        talker.start()
        focus.out.wait_text("Cy: flow #49\n", timeout=30)  # chat is flowing
        committed(path, "SELECT count(*) FROM messages WHERE login = 'cy'", 50)  # and the writer is committing

        done = real_shell(env, "questions", "--done", "1")  # a write of its own, between focus's batches
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 2
        assert done.stdout.startswith("1 open question ") and done.stdout.rstrip().endswith(
            "] Bob: !q second question, which font?")
        with ThreadPoolExecutor(4) as pool:  # four readers at once, while focus writes
            history, links, recap, questions = pool.map(lambda args: real_shell(env, *args), [
                ("history", "ann"), ("links", "--since", "1h"), ("recap", "--since", "1h"), ("questions",)])
        for res in (history, links, recap, questions):
            assert res.returncode == 0 and res.stderr == "", res.stderr
        assert history.stdout.splitlines()[0].startswith("Ann: 2 messages, first seen ")
        assert [line.split("  ", 2)[2] for line in history.stdout.splitlines()[1:]] == [
            "@DeskFox first question, which terminal?", "my dotfiles: https://example.com/ann/dotfiles"]
        assert links.stdout.rstrip().endswith("Ann  https://example.com/ann/dotfiles")
        assert links.stdout.count("\n") == 1
        assert "top chatters  Cy " in recap.stdout and "(3 new)" in recap.stdout
        assert questions.stdout == done.stdout  # the answered one stays answered while focus writes on

        focus.out.wait_text(f"Cy: flow #{len(sent) + 60}\n", timeout=30)  # and chat still flows after them
        stop_talking.set()
        talker.join(t(30))
        assert not talker.is_alive()
        last = sent[-1]
        focus.out.wait_text(f"Cy: flow #{last}\n", timeout=30)
        focus.signal(signal.SIGINT)
        assert focus.wait(10) == 0, focus.err.text
    finally:
        stop_talking.set()
        focus.kill()
    assert "without history" not in focus.out.text and "locked" not in focus.out.text  # never in focus's way
    assert "Traceback" not in focus.err.text
    shown = [line for line in focus.out.lines() if line.startswith("Cy: flow #")]
    assert shown == [f"Cy: flow #{k}" for k in sent]  # every message, in order
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        flow = [r[0] for r in conn.execute("SELECT text FROM messages WHERE login = 'cy' ORDER BY id")]
        assert flow == [f"flow #{k}" for k in sent]  # a clean exit loses nothing, despite the other writer
        assert conn.execute("SELECT text FROM messages WHERE question = 2").fetchall() == [
            ("@DeskFox first question, which terminal?",)]
    finally:
        conn.close()
