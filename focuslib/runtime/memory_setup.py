"""Setting the chat memory up and tearing it down (called from runtime/setup.py): the history writer, the follow
checker and /shield's hold step, hooked to the App; the recap when focus stops."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from focuslib.devlog.pipe import record
from focuslib.runtime.memory import HOLD_MINUTES, ChatMemory
from focuslib.store import queries
from focuslib.store import report
from focuslib.store.schema import StoreError, open_read
from focuslib.store.writer import HistoryWriter

if TYPE_CHECKING:
    from focuslib.runtime.followage import FollowChecker

FOLLOWERS_SCOPE = "moderator:read:followers"  # Get Channel Followers: a chatter's follow age

READY_WAIT = 2.0  # seconds focus waits, after the token check, for the known chatters to load


def start_memory(data_dir: Any, *, days: int, hold_minutes: float | None, app: Any, devlog: Any,
                 hold_ttl: float = HOLD_MINUTES, private: Any = None) -> ChatMemory:
    """Start the history writer (it opens the database while the token is checked) and the chat memory over it,
    hooked to `app`'s inbox and guard; set-up hands it to the App (its `memory` hook), which draws what it returns."""
    from focuslib.runtime.inbox import Call, NoticeText
    from focuslib.store.schema import db_path

    def report(line: str, detail: str) -> None:  # the writer thread: one line on screen, the rest to the devlog
        devlog.put(record("error", time.time(), where="history", error=line, traceback=detail))
        app.inbox.put(NoticeText(line))

    writer = HistoryWriter(db_path(data_dir), days=days, report=report).start()
    return ChatMemory(writer, hold_minutes=hold_minutes, devlog=devlog, hold_ttl=hold_ttl, private=private,
                      post=lambda fn: app.inbox.put(Call(fn)), warn=lambda text: app.inbox.put(NoticeText(text)),
                      on_guard=app.guard_changed)


def start_vetting(memory: ChatMemory, app: Any, broadcaster: str, scopes: tuple[str, ...], *, days: float | None,
                  pace: tuple[int, float], wait: float, devlog: Any) -> FollowChecker | None:
    """Let follow ages vouch for new chatters (runtime/followage.py), when the hold queue guards and the token may
    read followers; the checker's thread ends with the App (its stop event), joined by the caller."""
    from focuslib.runtime.followage import FollowChecker
    from focuslib.twitch.pacer import Pacer

    memory.follow_wait = wait  # the memory's own setting, before anything is vetted
    if not memory.hold_new or memory.hold is None or days is None:
        memory.vet_with(None, broadcaster, None)
        return None
    if FOLLOWERS_SCOPE not in scopes:
        memory.vet_with(None, broadcaster, None)
        memory.warn(f"hold queue: the token lacks the {FOLLOWERS_SCOPE} scope, so follow age vouches for nobody: "
                    "new chatters are held until /release; run make auth to grant it")
        return None
    checker = FollowChecker(app.helix, broadcaster, post=memory.post, answer=memory.follow_answer,
                            failed=memory.follow_failed, trusted=memory.trusted, scopes=scopes,
                            stop=app.stop_event, pacer=Pacer(*pace),
                            log=lambda error, trace: devlog.put(record("error", time.time(), where="follow ages",
                                                                       error=error, traceback=trace)))
    memory.vet_with(checker, broadcaster, days)
    return checker.start()


def shield_hook(memory: ChatMemory, timeout: float = 2.0) -> Callable[[bool], str]:
    """/shield's hold step for the command thread: it runs on the main thread (the memory's owner); the command
    waits for its line (bounded: a stopping focus never keeps the command waiting)."""
    def hold(on: bool) -> str:
        done = threading.Event()
        said: list[str] = []

        def step() -> None:
            try:
                said.append(memory.set_shield(on))
            finally:
                done.set()

        memory.post(step)
        return said[0] if done.wait(timeout) and said else "the hold queue did not answer (focus is stopping)"
    return hold


def memory_ready(memory: ChatMemory | None) -> None:
    """Wait (bounded) for the known chatters, so nobody is held or marked on a half-loaded list."""
    if memory is not None and memory.writer is not None:
        memory.writer.ready.wait(READY_WAIT)
        memory.loaded()


def stop_memory(memory: ChatMemory | None, started: float | None, out: Any,
                fold: Callable[[str], str] = lambda line: line) -> None:
    """Flush the history, then print the recap of this run on stdout (for the streamer's notes), each line
    through `fold` (on a terminal: wrapped to its width, under the second column)."""
    if memory is None or memory.writer is None:
        return
    writer = memory.writer
    for m, _ in memory._waiting:  # still waiting for the known chatters: stored held, like what the queue kept
        writer.put(time.time(), m, held=True)
    memory._waiting.clear()
    for pending in memory._pending.values():  # still waiting for a follow age: the same
        for m, _, wall in pending.messages:
            writer.put(wall, m, held=True)
    memory._pending.clear()
    writer.stop()
    if writer.dropped:
        memory.devlog.put(record("lifecycle", time.time(), event="history_dropped", count=writer.dropped))
    if writer.failed is not None or not writer.ready.is_set() or started is None:
        return
    try:
        conn = open_read(writer.path)
        try:
            recap = queries.recap(conn, started, time.time())
        finally:
            conn.close()
        out.write("\n".join(fold(line) for line in report.recap_lines(recap)) + "\n")
        out.flush()
    except (StoreError, OSError, ValueError, sqlite3.Error):
        pass  # the recap is a courtesy; `focus.py recap` answers with the reason
