"""The streamer's reading commands in focus: /history, /questions, /done, /links (and the input line's hand-off).

A base class of runtime/memory.ChatMemory: it answers from the history
database on the main (display) thread, with read connections of its own that
wait at most MAIN_THREAD_BUSY_MS for a lock, and answers in quiet
lines (records the App draws, runtime/memory_records.py).  /release and /ban belong to the hold queue
(holding.py).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Callable

from focuslib.runtime.memory_records import Record, quiet_lines
from focuslib.store import queries
from focuslib.store import report
from focuslib.store.schema import StoreError, open_read
from focuslib.store.writer import HistoryWriter, QuestionsAnswered

if TYPE_CHECKING:
    from focuslib.runtime.hold import HeldChatter
    from focuslib.runtime.private import Private

MAIN_THREAD_BUSY_MS = 100  # /history, /questions, /links run on the display thread: never wait long for a lock


class Recall:
    writer: HistoryWriter | None
    wall: Callable[[], float]
    started: float  # /links without a duration: since focus started
    post: Callable[[Callable[[], None]], None]
    out: list[Record]  # what the App draws (runtime/memory_records.py)
    _listed: list[int]  # row ids of the last /questions, for /done N
    private: Private | None  # where a long answer goes (runtime/private.py); None: printed as lines

    if TYPE_CHECKING:  # what the hold queue's part provides (runtime/holding.py; never stubs in the MRO)
        def release(self, who: str, why: str = "") -> list[str]: ...
        def discard(self, who: str) -> HeldChatter | None: ...

    def command(self, command: Any) -> list[str]:
        """One of twitch.commands.MEMORY_COMMANDS, answered in lines (main thread); /ban's part: see `discard`."""
        from focuslib.twitch import commands

        try:
            if isinstance(command, commands.History):
                return self.history(command.user, command.limit)
            if isinstance(command, commands.Release):
                return self.release(command.user)
            if isinstance(command, commands.Questions):
                return self.questions(self.wall() - 86_400)
            if isinstance(command, commands.Done):
                return self.done(command.number)
            if isinstance(command, commands.Links):
                since = self.started if command.seconds is None else self.wall() - command.seconds
                return self.links(since)
        except StoreError as exc:
            return [exc.message]
        except sqlite3.Error as exc:
            from focuslib.store.writer import fault_line

            return [fault_line(exc)]
        return []

    def remember(self, command: Any) -> None:
        """A memory command typed in the input line (its thread): answered on the main thread."""
        self.post(lambda: self._answer(command))

    def _answer(self, command: Any) -> None:
        from focuslib.twitch import commands

        if isinstance(command, commands.Ban):
            held = self.discard(command.user)
            if held is not None and held.count:
                n = held.count
                self.show_lines([f"discarded {n} held message{'' if n == 1 else 's'} from {held.name or held.login}"])
            return
        lines = self.command(command)
        title = private_title(command)
        if title is None or self.private is None:  # a one-line result (/release, /done): where results go
            self.show_lines(lines)
        else:  # a long answer: the devlog's notes or the overlay in screen mode, in line mode the lines as ever
            self.private.answer(title, lines, printed=self.show_lines)

    def show_lines(self, lines: list[str]) -> None:
        """A command's answer, for the focus terminal (main thread): quiet lines the App draws after this step."""
        self.out.extend(quiet_lines(lines))

    def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.writer is None:
            raise StoreError("history is off", "start focus without --no-history / FOCUS_HISTORY=off")
        conn = open_read(self.writer.path, busy_ms=MAIN_THREAD_BUSY_MS)
        try:
            return fn(conn, *args)
        finally:
            conn.close()

    def history(self, who: str, limit: int = 20) -> list[str]:
        h = self._read(queries.history, who, limit)
        return report.history_lines(h) if h else [f"no history for {who}"]

    def questions(self, since: float) -> list[str]:
        qs = self._read(queries.questions, since)
        self._listed = [q.id for q in qs]
        return report.question_lines(qs)

    def done(self, n: int) -> list[str]:
        if not 1 <= n <= len(self._listed) or self.writer is None:
            return [f"no question {n} (list them with /questions)"]
        if self.writer.failed is not None:  # the writer takes nothing any more: "answered" would be a lie
            return [f"question {n} not marked: {self.writer.failed}"]
        self.writer.put(self.wall(), QuestionsAnswered("", (self._listed[n - 1],)))
        return [f"question {n} answered"]

    def links(self, since: float) -> list[str]:
        return report.link_lines(self._read(queries.links, since))


def private_title(command: Any) -> str | None:
    """The note's title for a long answer (/history, /questions, /links); None for a one-line result."""
    from focuslib.twitch import commands

    if isinstance(command, commands.History):
        return f"/history {command.user}"
    if isinstance(command, commands.Questions):
        return "/questions"
    if isinstance(command, commands.Links):
        return "/links" if command.seconds is None else f"/links (the last {_span(command.seconds)})"
    return None


def _span(seconds: float) -> str:
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"
