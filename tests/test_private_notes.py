"""Private answers (runtime/private.py): the devlog's notes, the overlay, or line mode's lines as ever.

The router is driven over a real FIFO with a real DevlogWriter; a running focus against the simulated
Twitch shows that line mode's output stays what it was while the notes reach a devlog reader, that held
and AutoMod-held texts reach the notes with the commands that decide them (never stdout), that
`devlog.py --notes` shows only notes, and that a scope-poor token is one start-up line on a terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from focuslib.devlog.pipe import DevlogWriter, ensure_fifo, record
from focuslib.runtime.app import NullDevlog
from focuslib.runtime.private import Private
from focuslib.sim import payloads_moderation
from focuslib.twitch import commands

from conftest import N_SUBS, ROOT, Sink, t
from test_history_flow import BOB, DevlogReader, on_main, say, stored_while_running

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")


class Reader:
    """The read end of a devlog FIFO, read in the test's own thread: whole records, as they come."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)  # waits for the writer, which waits for a reader
        self.buf = b""

    def until(self, predicate) -> list[dict]:
        """Records read until one satisfies `predicate` (that one last)."""
        got: list[dict] = []
        while True:
            while b"\n" not in self.buf:
                chunk = os.read(self.fd, 1 << 16)
                assert chunk, "the writer closed the pipe"
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            got.append(json.loads(line))
            if predicate(got[-1]):
                return got

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def writer(tmp_path):
    path = ensure_fifo(tmp_path / "devlog.fifo", private_parent=False)
    w = DevlogWriter(path, lambda text: text, retry=0.05, watch=0.05)
    w.start()
    yield w
    w.stop(t(1))


def attach(w: DevlogWriter) -> Reader:
    """A reader on `w`'s FIFO, once the writer has written to it (so it knows the reader is there)."""
    reader = Reader(w.path)
    w.put(record("lifecycle", 0.0, event="hello"))
    reader.until(lambda r: r.get("event") == "hello")
    return reader


def test_the_writer_knows_whether_a_reader_is_attached_now(writer) -> None:
    assert not writer.reader_attached()  # waiting in open() for one
    reader = attach(writer)
    assert writer.reader_attached()
    reader.close()  # the writer has not written since: only the pipe knows the reader left
    assert not writer.reader_attached()
    again = attach(writer)
    assert writer.reader_attached()
    again.close()


def test_screen_mode_sends_an_answer_to_the_reader_or_else_over_the_chat(writer) -> None:
    shown: list[tuple[str, list[str]]] = []
    desk: list[str] = []
    private = Private(writer, overlay=lambda title, lines: shown.append((title, lines)), desk=desk.append)
    reader = attach(writer)
    lines = commands.help_lines()
    assert private.answer("/help", lines) == "/help: in the devlog's notes"
    [note] = reader.until(lambda r: r["kind"] == "note")
    assert note["title"] == "/help" and note["lines"] == lines
    assert shown == [] and desk == ["/help: in the devlog's notes"]
    reader.close()
    # Nobody reads now: the overlay, which is on stream (the desk says so).
    where = private.answer("/history bob", ["bob: 3 messages", "\x1b[31mred\x1b[0m"])
    assert where == "/history bob: shown over the chat, Esc closes (on stream)"
    assert shown == [("/history bob", ["bob: 3 messages", "\x1b[31mred\x1b[0m"])] and desk[-1] == where
    # With the devlog off there is never a reader.
    off = Private(NullDevlog(), overlay=lambda title, lines: shown.append((title, lines)))
    assert off.answer("/links", ["none"]).endswith("(on stream)") and shown[-1] == ("/links", ["none"])


def test_line_mode_prints_the_lines_as_ever_and_adds_the_note_sanitized(writer) -> None:
    printed: list[list[str]] = []
    private = Private(writer)
    reader = attach(writer)
    assert private.answer("/questions", ["1. why \x1b]0;x\x07rust?", "2. which font?"], printed=printed.append) == ""
    assert printed == [["1. why \x1b]0;x\x07rust?", "2. which font?"]]  # the terminal's lines: the caller's as ever
    [note] = reader.until(lambda r: r["kind"] == "note")
    assert note["title"] == "/questions" and note["lines"] == ["1. why rust?", "2. which font?"]
    reader.close()
    printed.clear()
    assert Private(NullDevlog()).answer("/help", ["a"], printed=printed.append) == "" and printed == [["a"]]


def test_an_errors_details_are_a_note_its_exception_and_where_it_came_from(writer) -> None:
    import traceback

    try:
        {}["missing"]
    except KeyError:
        trace = traceback.format_exc()
    reader = attach(writer)
    Private(writer).error("the input line", trace)
    [note] = reader.until(lambda r: r["kind"] == "note")
    assert note["title"] == "error in the input line: KeyError: 'missing'"
    assert note["lines"][0].strip().startswith('File "') and note["lines"][-1] == "KeyError: 'missing'"
    reader.close()


def test_history_in_line_mode_prints_what_it_printed_and_the_reader_gets_the_note(sim, start_focus) -> None:
    focus = start_focus(timestamps=False, devlog=True)
    sim.wait_subscribed(N_SUBS)
    devlog = DevlogReader(focus.settings.devlog_pipe)
    try:
        say(sim, BOB, "tests first, then the push")
        focus.out.wait_text("Bob: tests first, then the push")
        stored_while_running(focus, ["tests first, then the push"])
        memory = focus.app.memory
        lines = on_main(focus, lambda: memory.history("bob"))
        expected = on_main(focus, lambda: [focus.app.renderer.quiet(line) for line in lines])
        before = focus.out.text
        memory.remember(commands.History("bob"))  # as the input line hands it over
        devlog.out.wait_text('"title": "/history bob"')
        focus.out.wait_text(lines[-1])
        assert focus.out.text[len(before):] == "".join(line + "\n" for line in expected)  # as before, byte for byte
        [note] = [r for r in devlog.records() if r["kind"] == "note"]
        assert note["lines"] == lines
        assert focus.stop() == 0
    finally:
        devlog.close()


def test_automod_held_text_reaches_the_notes_with_its_number_and_commands_never_stdout(sim, start_focus) -> None:
    focus = start_focus(timestamps=False, devlog=True)
    sim.wait_subscribed(N_SUBS)
    devlog = DevlogReader(focus.settings.devlog_pipe)
    try:
        sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "a very rude word", "held-1"))
        sim.notify("automod.message.hold", payloads_moderation.automod_hold(BOB, "ruder still", "held-2"))
        focus.out.wait_text("held by AutoMod: Bob (#2): /allow 2 or /deny 2")
        devlog.out.wait_text('"title": "held by AutoMod #2')  # its frame comes first, its note after it
        notes = {r["title"]: r for r in devlog.records() if r["kind"] == "note"}
        first = notes["held by AutoMod #1: Pixel_Otter (pixel_otter), swearing"]
        assert first["lines"] == ["a very rude word"] and first["command"] == "/allow 1 or /deny 1"
        assert notes["held by AutoMod #2: Bob (bob), swearing"]["command"] == "/allow 2 or /deny 2"
        assert "rude" not in focus.out.text
        assert focus.stop() == 0
    finally:
        devlog.close()


def test_devlog_notes_shows_only_the_notes_readably(sim, env, start_focus) -> None:
    focus = start_focus(timestamps=False, devlog=True, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    proc = subprocess.Popen([sys.executable, "devlog.py", "--notes", "--color", "never"], cwd=ROOT,
                            env={**clean, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Sink()
    reading = threading.Thread(target=lambda: [out.write(line) for line in proc.stdout], daemon=True)  # type: ignore[union-attr]
    reading.start()
    try:
        sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "a very rude word", "held-7"))
        out.wait_text("→ /allow 1 or /deny 1")
        lines = [line for line in out.lines() if not line.startswith("-- waiting for focus")]
        assert lines[0].endswith("note      held by AutoMod #1: Pixel_Otter (pixel_otter), swearing")
        assert lines[1:] == ["  a very rude word", "  → /allow 1 or /deny 1"]  # no frame, no lifecycle record
        assert focus.stop() == 0
    finally:
        proc.terminate()
        proc.wait(t(10))
        reading.join(t(5))
        proc.stdout.close()  # type: ignore[union-attr]


def test_on_a_terminal_missing_scopes_are_one_line_and_help_prints_as_ever_both_also_notes(sim, env) -> None:
    from focuslib.config import Settings
    from focuslib.twitch.scopes import hidden_groups, usable_subscriptions
    from focuslib.twitch.subscriptions import desired
    from ptyterm import PtyFocus

    scopes = ["user:read:chat", "user:write:chat", "bits:read"]
    grant = sim.issue_token(scopes=scopes)
    wanted = desired(sim.broadcaster[0], sim.broadcaster[0])
    usable, hidden = usable_subscriptions(wanted, tuple(scopes))
    assert len(hidden) > 10  # the lines a pipe gets, one per group and scope (test_channel.py)
    pipe = Settings.from_env(env).devlog_pipe
    focus = PtyFocus({**env, "TWITCH_USER_ACCESS_TOKEN": grant.access_token,
                      "TWITCH_REFRESH_TOKEN": grant.refresh_token}, ["--no-timestamps"], rows=40)
    try:
        sim.wait_subscribed(len(usable))
        focus.wait_text(f"subscribed {len(usable)}/{len(usable)}", 20)
        devlog = DevlogReader(pipe)
        n = len(hidden_groups(scopes))
        focus.wait_text(f"{n} event groups are off or partly off for missing scopes: make doctor")
        screen = [row for row in focus.text().splitlines() if row.strip()]
        warnings = [row for row in screen if row.startswith("!")]
        assert len(warnings) == 1 and "run make auth to grant it" not in focus.text()
        devlog.out.wait_text("scopes: what the token leaves off")
        [note] = [r for r in devlog.records() if r["kind"] == "note"]
        assert note["lines"] == hidden and note["command"] == "make auth (make doctor lists each scope)"
        # /help in line mode: its lines on the terminal as ever, and a note for the private terminal.
        focus.send("/help\r")
        focus.wait_text("plain text is sent as chat")
        devlog.out.wait_text('"title": "/help"')
        [help_note] = [r for r in devlog.records() if r["kind"] == "note" and r["title"] == "/help"]
        assert help_note["lines"] == commands.help_lines()
        focus.send("/quit\r")
        assert focus.exit_code() == 0
        devlog.close()
    finally:
        focus.close()
