"""A broken history never stops chat: corrupt, locked, read-only, full, not ours; and kill -9 mid-burst."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from focuslib.sim import payloads
from focuslib.store.schema import db_path
from focuslib.store.writer import HistoryWriter
from focuslib.twitch.events import parse_event

from conftest import N_SUBS, ROOT, Sink, t
from test_cli import Proc
from test_history_flow import ANN, say, shell

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("CREATE TABLE IF NOT EXISTS other_program (x)")
print("locked", flush=True)
sys.stdin.read()
"""


def seed(data_dir: Path, text: str = "seeded") -> Path:
    """A valid history with one message from Ann."""
    path = db_path(data_dir)
    w = HistoryWriter(path).start()
    assert w.ready.wait(t(5))
    w.put(time.time(), parse_event("channel.chat.message", "1", payloads.chat_message(ANN, text)))
    w.stop(t(5))
    assert w.failed is None
    return path


def history_lines(out: Sink) -> list[str]:
    return [line for line in out.lines() if "history" in line and "focus goes on without history" in line]


def chat_survives(sim, start_focus, words: str, extra_env: dict[str, str] | None = None) -> None:
    """focus shows chat, says once in one line that history is off, and stops cleanly."""
    focus = start_focus(extra_env, timestamps=False)
    sim.wait_subscribed(N_SUBS)
    focus.out.wait_text("focus goes on without history")
    say(sim, ANN, "chat still flows")
    say(sim, ANN, "and again")
    focus.out.wait_text("Ann: and again")
    lines = history_lines(focus.out)
    assert len(lines) == 1 and words in lines[0], focus.out.text
    assert focus.stop() == 0
    assert "recap " not in focus.out.text


def test_a_corrupt_database(sim, env, start_focus):
    path = db_path(Path(env["FOCUS_DATA_DIR"]))
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_bytes(b"this is not SQLite at all \x00" * 200)
    os.chmod(path, 0o600)
    chat_survives(sim, start_focus, "damaged")
    res = shell(env, "history", "ann")
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "damaged" in res.stderr
    assert "Traceback" not in res.stderr


def test_done_after_the_history_failed_says_it_marked_nothing(tmp_path):
    """/done N hands the mark to the writer; once the history has failed the writer drops it, and focus said
    "question N answered" all the same (the question stayed open for the next /questions and the shell)."""
    from focuslib.runtime.memory import ChatMemory

    path = db_path(tmp_path / "data")
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"this is not SQLite at all \x00" * 200)
    os.chmod(path, 0o600)
    w = HistoryWriter(path).start()
    try:
        assert w.ready.wait(t(5)) and w.failed is not None
        memory = ChatMemory(w, devlog=None)
        memory._listed = [1]  # what an earlier /questions listed
        assert memory.done(1) == ["question 1 not marked: the history database is damaged"]
        assert memory.done(2) == ["no question 2 (list them with /questions)"]
    finally:
        w.stop(t(5))


@pytest.fixture
def short_busy(monkeypatch):
    """focus's waits on a lock, ten times shorter: a statement waits 0.2 s, not 2 (schema.BUSY_TIMEOUT_MS);
    the writer says so after 0.5 s, not 5, and tries again every 0.01-0.3 s, not 0.1-3.  The same rules."""
    from focuslib.store import schema, writer

    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(writer, "LOCKED_SAY", 0.5)
    monkeypatch.setattr(writer, "PAUSES", (0.01, 0.3))


def test_a_database_another_program_keeps_locked(sim, env, start_focus, short_busy):
    """Chat flows while another program holds the lock; focus says so once, keeps what arrives meanwhile,
    and writes it when the lock is gone."""
    path = seed(Path(env["FOCUS_DATA_DIR"]))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        focus = start_focus(None, timestamps=False)
        sim.wait_subscribed(N_SUBS)
        say(sim, ANN, "while it is locked")
        focus.out.wait_text("Ann: while it is locked")
        focus.out.wait_text("tries again")
        res = shell(env, "recap")
        assert res.returncode == 1 and res.stderr.count("\n") == 1 and "locked" in res.stderr
    finally:
        holder.stdin.close()
        holder.wait(t(10))
        holder.stdout.close()
    say(sim, ANN, "after the lock")
    focus.out.wait_text("Ann: after the lock")
    assert focus.stop() == 0
    lines = [line for line in focus.out.lines() if "history database" in line]
    assert len(lines) == 1 and "locked by another program: focus keeps chat and tries again" in lines[0], lines
    assert "recap " in focus.out.text  # the history worked after all
    res = shell(env, "history", "ann")
    assert res.returncode == 0, res.stderr
    assert [w in res.stdout for w in ("seeded", "while it is locked", "after the lock")] == [True] * 3


def test_a_database_that_belongs_to_someone_else(sim, env, start_focus):
    if os.geteuid() != 0:
        pytest.skip("making a file of another user needs root")
    path = seed(Path(env["FOCUS_DATA_DIR"]))
    os.chown(path, 12345, 12345)
    chat_survives(sim, start_focus, "not a file of yours")
    res = shell(env, "history", "ann")
    assert res.returncode == 1 and "not a file of yours" in res.stderr


@pytest.fixture
def read_only(tmp_path):
    """Makes a file read-only, even for root: a read-only bind mount of it (chmod 0400 for a user)."""
    mounted: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            os.chmod(path, 0o400)
            return
        if subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True).returncode:
            pytest.skip("cannot bind-mount here")
        mounted.append(path)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True, capture_output=True)

    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_read_only_database(sim, env, start_focus, read_only):
    path = seed(Path(env["FOCUS_DATA_DIR"]))
    read_only(path)
    chat_survives(sim, start_focus, "cannot be written (read-only, or not yours)")
    res = shell(env, "history", "ann")  # reading still works
    assert res.returncode == 0 and "seeded" in res.stdout, res.stderr


def test_a_full_disk_mid_stream(sim, env, tmp_path):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: SQLite gets EFBIG, focus keeps showing chat."""
    limit = 256 * 1024

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    proc = subprocess.Popen([sys.executable, "focus.py", "--no-devlog", "--color", "never", "--no-timestamps"],
                            cwd=ROOT, env={**clean, **env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=limited)
    out, err = Sink(), Sink()
    pumps = [threading.Thread(target=lambda s=s, k=k: [k.write(line) for line in s], daemon=True)
             for s, k in ((proc.stdout, out), (proc.stderr, err))]
    for p in pumps:
        p.start()
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        frames, _ = sim.burst_frames(4000, session, text="x" * 200)
        sim.send_frames(frames, session)
        out.wait_text("#3999", timeout=60)
        out.wait_text("focus goes on without history")
        say(sim, ANN, "after the disk filled up")
        out.wait_text("Ann: after the disk filled up")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(t(10)) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p in pumps:
            p.join(t(5))
        proc.stdout.close()
        proc.stderr.close()
    lines = [line for line in out.lines() if "history" in line and "without history" in line]
    assert len(lines) == 1 and "the disk holding the history database is full" in lines[0]
    assert "Traceback" not in err.text
    conn = sqlite3.connect(db_path(Path(env["FOCUS_DATA_DIR"])))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # full, not broken
    conn.close()


def test_kill_9_mid_burst_loses_at_most_the_last_batch(sim, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    cmd = [sys.executable, "focus.py", "--no-devlog", "--color", "never"]
    path = db_path(Path(env["FOCUS_DATA_DIR"]))
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        frames, _ = sim.burst_frames(20000, session, text="burst")
        def send() -> None:
            try:
                sim.send_frames(frames, session)
            except Exception:  # noqa: BLE001 -- the kill closes the socket mid-burst: that is the point
                pass

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        deadline = time.monotonic() + t(60)
        stored = 0
        while stored < 3000:  # wait for committed batches (a reader of our own, WAL)
            assert time.monotonic() < deadline, f"only {stored} messages stored"
            if path.exists():
                try:
                    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                    stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
                    conn.close()
                except sqlite3.OperationalError:
                    pass
            threading.Event().wait(0.05)
        proc.kill()  # SIGKILL: no flush, no goodbye
        proc.wait(t(10))
        sender.join(t(30))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # In time order, as every query reads them (a batch goes in sorted by chatter, so ids are not arrival order).
    texts = [row[0] for row in conn.execute("SELECT text FROM messages ORDER BY ts, id")]
    conn.close()
    assert len(texts) >= stored  # every batch committed before the kill is there
    assert texts == [f"burst #{k}" for k in range(len(texts))]  # a prefix: nothing torn, nothing out of order
    # And focus starts again on it, and keeps writing.
    restart = Proc(cmd[1:], {**clean, **env, "PYTHONUNBUFFERED": "1"})
    try:
        live = sim.wait_for(lambda: next((s for s in sim.live_sessions() if s is not session and sum(
            1 for sub in s.subscriptions.values() if sub["status"] == "enabled") == N_SUBS), None), timeout=t(20))
        sim.notify("channel.chat.message", payloads.chat_message(ANN, "after the crash"), session=live)
        restart.out.wait_text("Ann: after the crash")
        restart.signal(signal.SIGINT)
        assert restart.wait(10) == 0, restart.err.text
    finally:
        restart.kill()
    assert "recap " in restart.out.text
    res = shell(env, "history", "ann")
    assert res.returncode == 0 and "after the crash" in res.stdout


@pytest.mark.parametrize("mode", [0o600, 0o644])
def test_the_shell_commands_read_a_history_on_a_read_only_mount(env, tmp_path, mode):
    """A backup or a read-only mount: no -shm file can be made there, and nothing writes; it still reads.
    A backup copied under umask 022 is 0644: it cannot be made private there (the chmod raised EROFS, a
    traceback), and reading it exposes nothing that is not already exposed."""
    if os.geteuid() != 0:
        pytest.skip("mounting needs root")
    where = tmp_path / "ro"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        os.chmod(seed(where / "data"), mode)
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        res = shell({**env, "FOCUS_DATA_DIR": str(where / "data")}, "history", "ann")
        assert res.returncode == 0 and "seeded" in res.stdout, res.stderr
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


QUESTION = "@DeskFox which font?"
SHELL_COMMANDS = [("history", "ann"), ("questions",), ("questions", "--done", "1"), ("links",), ("recap",)]


def one_line_failure(res, words: str) -> None:
    """Exit 1, nothing on stdout, one line on stderr (and at most the house's `  -> what to do` hint line)."""
    assert res.returncode == 1 and res.stdout == "", res.stdout
    lines = res.stderr.splitlines()
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  -> ")), res.stderr
    assert words in lines[0] and "Traceback" not in res.stderr, res.stderr


def test_every_shell_command_on_a_corrupt_database_answers_one_line(env):
    path = db_path(Path(env["FOCUS_DATA_DIR"]))
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # a header, then garbage
    os.chmod(path, 0o600)
    for args in SHELL_COMMANDS:
        one_line_failure(shell(env, *args), "damaged")


def test_every_shell_command_on_a_locked_database_answers_one_line(env, short_busy):
    path = seed(Path(env["FOCUS_DATA_DIR"]), QUESTION)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for args in SHELL_COMMANDS:
            one_line_failure(shell(env, *args), "locked")
    finally:
        holder.stdin.close()
        holder.wait(t(10))
        holder.stdout.close()


def test_questions_done_on_a_read_only_database_answers_one_line_and_the_reads_still_work(env, read_only):
    path = seed(Path(env["FOCUS_DATA_DIR"]), QUESTION)
    read_only(path)
    one_line_failure(shell(env, "questions", "--done", "1"), "cannot be written")
    res = shell(env, "questions")
    assert res.returncode == 0 and res.stdout.rstrip().endswith(f"Ann: {QUESTION}"), res.stderr


def test_text_read_from_the_database_is_sanitized_in_every_shell_command(env):
    """Rows as an older focus, another tool or an attacker with a chat name could leave them: every field
    that reaches the terminal goes through the sanitizer, as text from Twitch does."""
    path = seed(Path(env["FOCUS_DATA_DIR"]), QUESTION)
    dirty = "\x1b[2J\x1b]0;owned\x07\u202e\x9b31m\x07"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE messages SET name = ?, text = ?", ("Ann" + dirty, QUESTION + dirty))
        conn.execute("UPDATE users SET name = ?", ("Ann" + dirty,))
        conn.execute("INSERT INTO links (ts, channel, login, name, url, message_id) VALUES (?, '', 'ann', ?, ?, '')",
                     (time.time(), "Ann" + dirty, "https://a.example/" + dirty))
        conn.execute("INSERT INTO events (ts, channel, type, user_id, login, name, target_id, target_login, "
                     "target_name, amount, detail) SELECT ?, channel, 'ban', '9', 'mod', ?, user_id, login, name, 0, ? "
                     "FROM users", (time.time(), "Mod" + dirty, "reason" + dirty))
    conn.close()
    for args in [("history", "ann"), ("questions",), ("links",), ("recap",)]:
        res = shell(env, *args)
        assert res.returncode == 0, res.stderr
        assert "Ann" in res.stdout
        assert not any(ch in res.stdout for ch in "\x1b\x07\u202e\x9b"), (args, res.stdout)


def test_every_shell_command_on_a_database_of_another_user_answers_one_line(env):
    if os.geteuid() != 0:
        pytest.skip("making a file of another user needs root")
    path = seed(Path(env["FOCUS_DATA_DIR"]), QUESTION)
    os.chown(path, 12345, 12345)
    for args in SHELL_COMMANDS:
        one_line_failure(shell(env, *args), "not a file of yours")

