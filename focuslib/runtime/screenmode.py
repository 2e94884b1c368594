"""Screen mode wired for `setup.run`: the pane, its writer, the full-screen app, and the input line in its desk.

Imported only when stdout is a terminal and neither `--lines` (FOCUS_SCREEN=lines) nor `--tail` is given.  The
main thread writes through `writer` (view/terminal.py's interface, focuslib/screen/writer.py); commands'
answers go to the desk (`report`), never into chat; stray prints and warnings go into the pane, never
through the screen.  `stop` gives the terminal back (main screen, cursor, cooked mode) and puts stdout back,
so the recap prints below what the terminal showed before focus started.
"""

from __future__ import annotations

import contextlib
import collections
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any, Callable, TextIO

from prompt_toolkit.application import get_app_session
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from focuslib.runtime.console import Console
from focuslib.runtime.promptio import QuietInput
from focuslib.screen.app import DeskInput, Header, ScreenApp, plain_header
from focuslib.screen.pane import Pane
from focuslib.screen.writer import PaneWriter
from focuslib.text import sanitize

if TYPE_CHECKING:
    from focuslib.screen.header import HeaderModel

DESK_ROWS = 2  # the input line and the last result (focuslib/settings.py checks FOCUS_DESK_ROWS)
WAITING = 4  # tracebacks kept until the devlog runs


class Traces:
    """Where screen mode's tracebacks go, from any thread: the devlog once set-up has started it (`attach`);
    until then they wait (the screen starts before the devlog, and its thread may fail before focus's App
    exists).  `where` says where the last one is for the line the terminal shows: the devlog, else the crash
    file (`crash` writes it there, redacted, and returns its path; "" when it could not)."""

    def __init__(self, crash: Callable[[str], str] = lambda trace: "") -> None:
        self.crash = crash
        self.devlog: Callable[[str], None] | None = None
        self.last = ""
        self._waiting: collections.deque[str] = collections.deque(maxlen=WAITING)

    def __call__(self, trace: str) -> None:
        self.last = trace
        if self.devlog is not None:
            self.devlog(trace)
        else:
            self._waiting.append(trace)

    def attach(self, devlog: Callable[[str], None]) -> None:
        """The devlog runs: what waited goes there, and so does what comes."""
        self.devlog = devlog
        while self._waiting:
            devlog(self._waiting.popleft())

    def where(self) -> str:
        if self.devlog is not None:
            return "the devlog"
        return self.crash(self.last) if self.last else ""


class ScreenMode:
    """`console` None: display-only (--no-input, or stdin is not a terminal): the same screen with nothing to
    type; keys still scroll when stdin is a terminal (Ctrl-C or Ctrl-D quit, Ctrl-Z suspends), else no key is
    read and Ctrl-C is the terminal's SIGINT, as in line mode."""

    def __init__(self, console: Console | None, *, rows: int = DESK_ROWS, hide: bool = False,
                 quit: Callable[[], None] = lambda: None, crash: Callable[[str], str] = lambda trace: "") -> None:
        get_app_session().output  # noqa: B018 -- bind prompt_toolkit to the real stdout before it is replaced
        self.console = console
        self.quit = quit
        # Tracebacks: the console's on_error (set-up points it at the devlog and the private notes once the devlog
        # runs), else these; both wait here until then.
        self.traces = Traces(crash)  # crash: set-up's writer of last-crash.txt, for when the devlog is off
        if console is not None:
            console.on_error = self.traces
        self.failed = ""  # the screen's thread ended on a bug: its type, for the line shown once the terminal is back
        self.pane = Pane()
        self.writer = PaneWriter(self.pane, hide_removed=hide)
        self._pipe: contextlib.ExitStack | None = None  # display-only, stdin not a terminal: an input nobody writes to
        if console is not None:
            buffer, keys, keyboard = console.line.desk_parts(self._accepted)
        else:
            buffer, keys, keyboard = Buffer(read_only=True, multiline=False), _display_keys(), self._keyboard()
        header: Header = plain_header(lambda: self.writer.status_text)
        # Display-only: nothing can be typed, so no prompt pretends otherwise.
        self.app = ScreenApp(self.pane, header, DeskInput(buffer, keys, keyboard), desk_rows=rows,
                             on_exit=self._ended, on_error=self.on_error, prompt="› " if console is not None else "")
        self.writer.invalidate = self.app.invalidate
        self.writer.ring = self.app.bell
        self._saved: tuple[TextIO, TextIO] | None = None
        self._hook: Callable[[threading.ExceptHookArgs], Any] | None = None
        if console is not None:
            console.screen = self

    def use_header(self, model: HeaderModel) -> None:
        """Draw `model` in the header row (set-up's, before the App exists), redrawn when it changes."""
        self.app.use_header(model.text)
        model.on_change = self.app.invalidate

    def on_error(self, trace: str) -> None:
        """A traceback for the devlog (the console's `on_error` is wired after the screen is built)."""
        self.traces.last = trace  # the crash file's, should the devlog be off
        (self.console.on_error if self.console is not None else self.traces)(trace)

    def _keyboard(self) -> Any:
        stdin = sys.__stdin__
        try:
            if stdin is not None and stdin.isatty():
                return QuietInput(stdin)
        except (ValueError, OSError):  # a closed stdin
            pass
        # Never written: the screen reads no key, the terminal keeps Ctrl-C.  create_pipe_input is a context
        # manager (prompt_toolkit >= 3.0.29): the pipe itself is what it yields, closed when it is left.
        self._pipe = contextlib.ExitStack()
        return self._pipe.enter_context(create_pipe_input())

    def start(self) -> PaneWriter:
        # Stray prints and warnings go into the pane: a write to the terminal would tear the screen.
        self._saved = (sys.stdout, sys.stderr)
        stray = StrayLines(self.pane, self.app.invalidate)
        sys.stdout = sys.stderr = stray  # type: ignore[assignment]
        # A thread's uncaught exception: Python prints its traceback to stderr, which is the pane, on stream.
        # The traceback goes to the devlog instead, and one line says so.
        self._hook = threading.excepthook
        threading.excepthook = self._thread_failed
        self.app.start()
        return self.writer

    def report(self, text: str, ok: bool) -> None:
        """A command's answer: the desk's result row (any thread)."""
        self.app.desk(("· " if ok else "! ") + text)

    def find(self, needle: str) -> None:
        self.app.find(needle)

    def resized(self) -> None:
        self.app.resized()

    def stop(self) -> None:
        """Leave the alternate screen (cursor shown, cooked mode) and give stdout back.  Idempotent."""
        self.app.stop()
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        if self._hook is not None:
            threading.excepthook = self._hook
            self._hook = None
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None
            if self.failed:  # said in the pane it would be gone with the screen: said on the terminal given back
                where = self.traces.where()
                saved = f"the traceback is in {where}" if where else "its traceback could not be saved"
                sys.stderr.write(f"focus: the screen failed ({self.failed}) and focus stopped; {saved}; "
                                 "please report it\n")
                sys.stderr.flush()

    def _thread_failed(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        name = sanitize(args.thread.name) if args.thread is not None else "a thread"
        self.on_error(trace)
        self.pane.add(f"\x1b[2m! focus's {name} thread failed (details in the devlog)\x1b[0m")
        self.app.invalidate()

    def _accepted(self, buffer: Buffer) -> bool:
        assert self.console is not None  # display-only has no line to accept
        want = self.console.line.take(buffer.text)
        if want == "confirm":
            self.app.ask("delete every message in the chat, for everyone?", self.console.line.answered_clear)
        return False  # the line empties (it is in the history already)

    def _ended(self, error: BaseException | None) -> None:
        """The application ended by itself: Ctrl-C or Ctrl-D on an empty line stop focus; so does a bug
        (its traceback is in the devlog), with one line that says so."""
        if error is not None and not isinstance(error, (KeyboardInterrupt, EOFError)):
            self.failed = type(error).__name__  # the type only: an exception's text may quote a token
        self.quit()


def _display_keys() -> KeyBindings:
    """Display-only screen mode's own keys (scrolling and /find's are the screen app's): quit and suspend."""
    keys = KeyBindings()

    @keys.add("c-c")
    @keys.add("c-d")
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt)

    @keys.add("c-z")
    def _suspend(event: KeyPressEvent) -> None:
        event.app.suspend_to_background()

    return keys


class StrayLines:
    """sys.stdout and sys.stderr while the screen is up: whole lines go into the pane, sanitized."""

    def __init__(self, pane: Pane, invalidate: Callable[[], None]) -> None:
        self.pane = pane
        self.invalidate = invalidate
        self._partial = ""
        self.errors = "strict"
        self.encoding = "utf-8"

    def write(self, data: str) -> int:
        text = self._partial + data
        *lines, self._partial = text.split("\n")
        for line in lines:
            self.pane.add("\x1b[2m" + sanitize(line) + "\x1b[0m")
        if lines:
            self.invalidate()
        return len(data)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)
