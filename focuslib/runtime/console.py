"""focus with an input line: the pieces that exist only then, wired together for `setup.run`.

Imported only when stdin and stdout are a terminal (it loads prompt_toolkit).
The set-up creates one `Console` before the App, writes through `console.out`,
feeds `console.recent` from the main loop, and calls `talk_as` once Twitch
said who the token belongs to (until then a typed line is answered with
"still starting" and stays in the history).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TextIO

from focuslib.net.helix import Helix
from focuslib.runtime.execute import Executor, Recent
from focuslib.runtime.inputline import InputLine
from focuslib.runtime.recent import RecentChat, Remembered, StoredRecent
from focuslib.runtime.shield import ShieldPlan
from focuslib.runtime.talk import Report, Talk

if TYPE_CHECKING:
    from focuslib.runtime.private import Private


class Console:
    def __init__(self, data_dir: Path, report: Report, quit: Callable[[], None],
                 on_error: Callable[[str], None] = lambda trace: None) -> None:
        self.recent = RecentChat()
        self.report = report
        self._quit = quit
        self.on_error = on_error  # a traceback for the devlog (set-up points it there once the devlog runs)
        self.talk: Talk | None = None
        self.held: Callable[[], tuple[str, ...]] = tuple  # the hold queue's chatters (set once the memory runs)
        self.line = InputLine(data_dir=data_dir, names=self.recent.names, accept=self._accept,
                              confirm_clear=self._confirmed_clear, quit=quit,
                              cancelled=lambda text: report(text, True), held=lambda: self.held(),
                              refused=lambda text: report(text, False))
        self.line.on_crash = self._crashed
        self.out: TextIO | None = None
        self.screen: Any = None  # screen mode (runtime/screenmode.py): the input line lives in its desk

    def start(self) -> TextIO:
        self.out = self.line.start()
        return self.out

    def status(self, text: str) -> None:
        self.line.status(text)

    def talk_as(self, helix: Helix, broadcaster_id: str, user_id: str, stop: threading.Event,
                status: Callable[[str], None], remember: Callable[[Any], None] | None = None,
                history: Path | None = None, shield: ShieldPlan | None = None,
                note: Callable[[str, list[str]], bool] | None = None, unavailable: str = "",
                private: Private | None = None, filters: Callable[[Any], None] | None = None) -> None:
        """Commands work from now on, as `user_id` in `broadcaster_id`'s chat.  With `history` (the
        database), /reply finds a chatter who spoke before this focus started there too.  `unavailable`:
        the line that answers every command Twitch would carry out (a server without those calls)."""
        recent: Recent = self.recent
        if history is not None:
            recent = Remembered(self.recent, StoredRecent(history, broadcaster_id))
        executor = Executor(helix, broadcaster_id, user_id, recent=recent, stop=stop, status=status, shield=shield,
                            history=history, note=note)
        self.talk = Talk(executor, self.report, quit=self._quit, on_error=lambda trace: self.on_error(trace),
                         remember=remember, unavailable=unavailable, private=private, filters=filters,
                         find=self._find)

    def stop(self) -> None:
        """Stop the commands, then the prompt (which flushes what is left to print)."""
        if self.talk is not None:
            self.talk.stop()
        self.line.stop()

    def resized(self) -> None:
        if self.screen is not None:
            self.screen.resized()
        else:
            self.line.resized()

    def resumed(self) -> None:
        self.line.resumed()  # the Ctrl-Z of the input line's rules waits for this
        if self.screen is not None:
            self.screen.resized()

    def _find(self, needle: str) -> None:
        if self.screen is not None:
            self.screen.find(needle)
        else:
            self.report("/find searches the chat pane of screen mode; this focus prints lines (--lines, a pipe): "
                        "search your terminal's scrollback", False)

    def _crashed(self, trace: str, what: str) -> None:
        """The input line failed: one line here, the traceback in the devlog; chat goes on."""
        self.on_error(trace)
        if what == "restarted":
            self.report("the input line failed (details in the devlog) and started again; chat goes on", False)
        elif what == "fatal":
            self.report("the input line failed again (details in the devlog); chat goes on; restart focus to "
                        "type again", False)
        else:
            self.report("focus could not handle that line (details in the devlog); it is in the history", False)

    def _accept(self, text: str) -> str | None:
        talk = self.talk
        if talk is None:
            if text.strip().lower() == "/quit":
                self._quit()
                return "quit"
            self.report("focus is still connecting; that line is in the history (Up arrow) to send again", False)
            return None
        return talk.accept(text)

    def _confirmed_clear(self) -> None:
        if self.talk is not None:
            self.talk.confirmed_clear()
