"""prompt_toolkit's input side and history, fitted to focus's input line (runtime/inputline.py).

* `QuietInput`: the terminal stays raw while lines are printed above the prompt.
* `QuickPasteParser`: a bracketed paste is gathered in linear time (prompt_toolkit's
  parser copies and searches the whole paste again at every read: a 5 MB paste
  took 15 s before it reached a key binding).
* `InputHistory`: the history file keeps no line that no command could take.
* `MOUSE`, `PASTE`: prompt_toolkit's own handlers, which the input line's bindings wrap.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from prompt_toolkit.history import FileHistory
from prompt_toolkit.input.vt100 import Vt100Input
from prompt_toolkit.input.vt100_parser import Vt100Parser
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.key_binding.bindings.basic import load_basic_bindings
from prompt_toolkit.key_binding.bindings.mouse import load_mouse_bindings
from prompt_toolkit.key_binding.key_processor import KeyPress
from prompt_toolkit.keys import Keys

from focuslib.config import ensure_private_dir
from focuslib.twitch.command_args import MAX_MESSAGE

HISTORY_FILE = "input-history"
# The longest line any command takes (`/timeout USER DURATION REASON` with a 500-character reason): a longer
# one is refused whatever it says, so it is kept for this run's Up arrow only, never in the history file.
LONGEST_LINE = 600
# A paste this long is refused at once, never put on the line (Twitch's limit would refuse it anyway).
PASTE_LIMIT = 10 * MAX_MESSAGE
PASTE_END = "\x1b[201~"


class QuickPasteParser(Vt100Parser):
    """prompt_toolkit's parser, but a bracketed paste's pieces are kept in a list and only the newest piece
    (with the few characters before it) is searched for the end mark."""

    def __init__(self, feed_key_callback: Callable[[KeyPress], None]) -> None:
        super().__init__(feed_key_callback)
        self._pieces: list[str] = []
        self._gathered = 0  # characters in _pieces
        self._tail = ""  # the last characters gathered: an end mark may begin there

    def feed(self, data: str) -> None:
        if not self._in_bracketed_paste:
            super().feed(data)  # enters paste mode, and hands the rest back to this `feed`
            return
        probe = self._tail + data
        if PASTE_END not in probe:
            self._pieces.append(data)
            self._gathered += len(data)
            self._tail = probe[-(len(PASTE_END) - 1):]
            return
        text = "".join(self._pieces) + data
        end = text.index(PASTE_END, max(0, self._gathered - len(self._tail)))
        self._pieces, self._gathered, self._tail = [], 0, ""
        self.feed_key_callback(KeyPress(Keys.BracketedPaste, text[:end]))
        self._in_bracketed_paste = False
        self.feed(text[end + len(PASTE_END):])


class QuietInput(Vt100Input):
    """The terminal stays in raw mode while prompt_toolkit prints above the input line.

    `run_in_terminal` switches to cooked mode around each write, for functions
    that read a line themselves; ours only print.  In cooked mode the terminal
    would echo a key typed during a write into the chat (many writes a second
    in a raid) and turn a Ctrl-C meant to clear the line into SIGINT.  Raw, the
    key waits in the terminal until the prompt reads it."""

    def __init__(self, stdin: Any) -> None:
        super().__init__(stdin)
        self.vt100_parser = QuickPasteParser(lambda key_press: self._buffer.append(key_press))

    def cooked_mode(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


class InputHistory(FileHistory):
    """The input history file, without lines no command could take (a refused paste stays out of it)."""

    def load_history_strings(self) -> Iterable[str]:
        return (line for line in super().load_history_strings() if len(line) <= LONGEST_LINE)

    def store_string(self, string: str) -> None:
        if len(string) <= LONGEST_LINE:
            super().store_string(string)


def open_history(data_dir: Path) -> FileHistory:
    """The input history file, private to the user (0600) in a private directory."""
    ensure_private_dir(data_dir)
    path = data_dir / HISTORY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an older file keeps no looser mode
    finally:
        os.close(fd)
    return InputHistory(str(path))


def _handler(bindings: KeyBindings, key: Keys) -> Callable[[KeyPressEvent], object]:
    """prompt_toolkit's own handler for `key` (the input line's bindings wrap it)."""
    return bindings.get_bindings_for_keys((key,))[0].handler


MOUSE = _handler(load_mouse_bindings(), Keys.Vt100MouseEvent)
PASTE = _handler(load_basic_bindings(), Keys.BracketedPaste)
