"""What happens to a line typed into focus's input line: parsed at once, carried out off the display thread.

`accept(text)` runs on the input line's thread and never waits for Twitch:
a typo gets its one-line answer at once, /help and /quit are answered here,
/clear asks first (the input line asks, then calls `confirmed_clear`), and
everything else is queued for one of two worker threads that run the
`Executor` (runtime/execute.py): chat (paced, in the order typed) and
moderation (so a /ban never waits behind a paced burst of chat).  Each result
is one line, put on the App's inbox for the main thread to print.  A chat
message that was sent gets no line of its own: it shows once, when Twitch
echoes it back over EventSub.
"""

from __future__ import annotations

import queue
import threading
import traceback
from typing import TYPE_CHECKING, Callable

from focuslib import threads
from focuslib.runtime.execute import Executor
from focuslib.twitch import commands

if TYPE_CHECKING:
    from focuslib.runtime.private import Private

Report = Callable[[str, bool], None]  # (one line, done?) -> shown above the input line


class Lane:
    """One worker thread running commands in the order they came."""

    def __init__(self, name: str, run: Callable[[commands.Command], None]) -> None:
        self._jobs: queue.SimpleQueue[commands.Command | None] = queue.SimpleQueue()
        self._run = run
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def put(self, command: commands.Command) -> None:
        if not self.thread.is_alive() and self.thread.ident is None:
            threads.start(self.thread)
        self._jobs.put(command)

    def stop(self, timeout: float) -> None:
        if self.thread.ident is not None:
            self._jobs.put(None)
            self.thread.join(timeout)

    def _loop(self) -> None:
        while True:
            command = self._jobs.get()
            if command is None:
                return
            self._run(command)


class Talk:
    """The input line's commands: parse, confirm, queue, report."""

    def __init__(self, executor: Executor, report: Report, *, quit: Callable[[], None],
                 on_error: Callable[[str], None] = lambda trace: None,
                 remember: Callable[[commands.Command], None] | None = None, unavailable: str = "",
                 private: Private | None = None,
                 filters: Callable[[commands.Filter], None] | None = None,
                 find: Callable[[str], None] = lambda needle: None) -> None:
        self.executor = executor
        self.private = private  # where /help goes (runtime/private.py); None: printed as lines
        self.report = report
        self.unavailable = unavailable  # why Twitch's calls cannot be made here (twitch-cli's mock): the answer
        self.quit = quit
        self.remember = remember  # focus's memory (runtime/memory.py): None when history is off
        self.filters = filters  # /highlight, /hide ...: handed to the main thread (runtime/filtering.py)
        self.on_error = on_error
        self.find = find  # /find: the chat pane's search (screen mode), answered here
        self.chat = Lane("talk-chat", self._carry_out)
        self.moderation = Lane("talk-moderation", self._carry_out)

    def accept(self, text: str) -> str | None:
        """One typed line (input line thread).  Returns "confirm" for /clear, "quit" for /quit, else None."""
        try:
            command = commands.parse(text)
        except commands.CommandError as exc:
            self.report(str(exc), False)
            return None
        if isinstance(command, commands.Quit):
            self.quit()
            return "quit"
        if isinstance(command, commands.Help):
            lines = commands.help_lines()
            if self.private is None:
                self._report_all(lines)
            else:  # the devlog's notes or the overlay in screen mode; in line mode the same lines as ever
                self.private.answer("/help", lines, printed=self._report_all)
            return None
        if isinstance(command, commands.Filter):  # focus's own screen: answered here, whatever Twitch allows
            if self.filters is None:
                self.report("highlights and filters cannot be changed in this focus", False)
            else:
                self.filters(command)
            return None
        if isinstance(command, commands.Find):
            self.find(command.text)
            return None
        if self.unavailable and not isinstance(command, commands.MEMORY_COMMANDS):
            self.report(self.unavailable, False)  # the one-shots' line, and nothing is sent
            return None
        if isinstance(command, commands.Clear):
            return "confirm"
        if isinstance(command, commands.MEMORY_COMMANDS):  # answered from focus's own history, not Twitch
            if self.remember is None:
                self.report("history is off (--no-history or FOCUS_HISTORY=off)", False)
            else:
                self.remember(command)
            return None
        if isinstance(command, commands.Ban) and self.remember is not None:
            self.remember(command)  # the hold queue discards what they wrote; the ban itself goes on below
        lane = self.chat if isinstance(command, (commands.Say, commands.Reply)) else self.moderation
        lane.put(command)
        return None

    def _report_all(self, lines: list[str]) -> None:
        for line in lines:
            self.report(line, True)

    def confirmed_clear(self) -> None:
        self.moderation.put(commands.Clear())

    def stop(self, timeout: float = 1.0) -> None:
        self.executor.stop.set()  # a message waiting for its pace gives up
        self.chat.stop(timeout)
        self.moderation.stop(timeout)

    def _carry_out(self, command: commands.Command) -> None:
        try:
            outcome = self.executor.execute(command)
        except Exception:  # a bug: one line here, the traceback in the devlog, the lane lives on
            self.on_error(traceback.format_exc())
            self.report("focus could not carry that out (details in the devlog)", False)
            return
        if outcome.ok and isinstance(command, commands.Say):
            return  # the echo over EventSub is the one line this message gets
        for ok, line in outcome.steps or ((outcome.ok, outcome.text),):  # a command of steps: a line each
            self.report(line, ok)
