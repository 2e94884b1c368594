"""The input line at the bottom of focus (only when stdin and stdout are a terminal).

prompt_toolkit owns the bottom of the screen: the input line with its history
(kept in FOCUS_DATA_DIR, mode 0600) and tab completion, and under it a toolbar
with focus's status.  Everything focus prints goes through `ScreenOut`
(runtime/screenout.py; prompt_toolkit's `StdoutProxy`, but bounded): a flush
thread hands the text to the prompt's event loop, which draws it above the
input line (`run_in_terminal`) and redraws the line under it, so chat never
clobbers what is being typed, even in a raid.  The terminal writer therefore runs in its
plain mode here: no cursor control of its own, a deleted message gets a line
instead of an in-place rewrite, and the status goes to the toolbar.

Threads: the prompt runs in its own thread ("input-line") with its own event
loop; what is typed is handed to `accept` (runtime/talk.py), which never
waits for Twitch.  The main thread keeps the display.  Ctrl-C clears a
non-empty line (the text stays in the history: nothing typed is lost); on an
empty line it quits, as do Ctrl-D on an empty line and /quit.

This module is imported only when the input line is on, so display-only runs
(a pipe, /dev/null, a service) never load prompt_toolkit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable, Iterable, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app, get_app_session, run_in_terminal
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.input.vt100 import Vt100Input
from prompt_toolkit.filters import is_searching
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.search import stop_search
from prompt_toolkit.styles import Style

from focuslib import threads
from focuslib.runtime.promptio import HISTORY_FILE, MOUSE, PASTE, PASTE_LIMIT, QuietInput, open_history
from focuslib.twitch.command_args import MAX_MESSAGE
from focuslib.runtime.screenout import ScreenOut
from focuslib.screen.app import exit_on_loop_error
from focuslib.twitch import commands

# Commands whose first argument is a chatter's login (completed from recent chatters), by name and short name.
USER_FIRST = {name for spec in commands.COMMANDS if spec.usage.split(" ")[1:2] in (["USER"], ["[USER]"], ["CHANNEL"])
              for name in (spec.name, *spec.aliases)}
SUSPEND_WAIT = 0.5  # seconds Ctrl-Z waits for the stop to land (SIGTSTP is ignored in an orphaned process group)
STYLE = Style.from_dict({"bottom-toolbar": "noreverse", "prompt": "bold", "status": "#8a8a8a"})
RESTARTS = 3  # the input line fails this often within RESTART_WINDOW seconds: it stays off (a bug that repeats)
RESTART_WINDOW = 60.0


class TalkCompleter(Completer):
    """Command names after `/`; recent chatters, raiders and shoutout targets after `@` and as a command's USER
    argument; after /release the held chatters first."""

    def __init__(self, names: Callable[[], list[str]], held: Callable[[], Iterable[str]] = tuple) -> None:
        self.names = names
        self.held = held

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        before = document.text_before_cursor
        words = before.split(" ")
        word = words[-1]
        if len(words) == 1 and word.startswith("/") and not word.startswith("//"):
            for name in commands.names():
                if name.startswith(word[1:].lower()):
                    spec = commands.find(name)
                    yield Completion("/" + name, -len(word), display_meta=spec.help if spec else "")
            return
        if word.startswith("@"):
            prefix, stem = "@", word[1:].lower()
        elif len(words) == 2 and words[0][1:].lower() in USER_FIRST and words[0].startswith("/"):
            prefix, stem = "", word.lower()
        else:
            return
        offered = list(self.held()) if words[0].lower() == "/release" and not prefix else []
        for login in dict.fromkeys(offered + self.names()):
            if login.startswith(stem):
                yield Completion(prefix + login, -len(word))


class InputLine:
    """The prompt thread, the status toolbar and the stdout proxy focus writes through."""

    def __init__(self, *, data_dir: Path, names: Callable[[], list[str]], accept: Callable[[str], str | None],
                 confirm_clear: Callable[[], None], quit: Callable[[], None], cancelled: Callable[[str], None],
                 held: Callable[[], Iterable[str]] = tuple, refused: Callable[[str], None] = lambda text: None) -> None:
        self._names = names
        self._held = held
        self._accept = accept
        self._confirm_clear = confirm_clear
        self._quit = quit
        self._cancelled = cancelled
        self._refused = refused  # one line for what the input line turned away (a paste too long)
        self._status = ""
        self._stopping = threading.Event()
        self.history_problem = ""  # one line for the streamer when the history file cannot be used
        try:
            self._history: History = open_history(data_dir)
        except OSError as exc:  # e.g. a file a run as root left behind: focus starts all the same
            self._history = InMemoryHistory()
            self.history_problem = (f"the input line's history cannot be kept in {data_dir / HISTORY_FILE} "
                                    f"({exc.strerror or type(exc).__name__}); this run's lines are kept until "
                                    "focus stops")
        self._proxy: ScreenOut | None = None
        self.on_drop: Callable[[int], None] = lambda n: None  # lines a slow terminal did not take (the devlog)
        # The input line failed (a bug in it or in prompt_toolkit): one line for the streamer, the traceback
        # for the devlog; the input line starts again ("restarted"), unless it keeps failing ("fatal": focus
        # goes on display-only); a bug in handling one typed line ("line") leaves it as it is.
        self.on_crash: Callable[[str, str], None] = lambda trace, what: None
        self.crashed = False
        self._continued = threading.Event()  # set by SIGCONT after a Ctrl-Z
        self._saved: tuple[TextIO, TextIO] | None = None
        self._thread = threading.Thread(target=self._run, name="input-line", daemon=True)
        self._session: PromptSession[str] | None = None
        self._input: QuietInput | None = None

    # -- set-up and tear-down (main thread) -------------------------------------------

    def start(self) -> TextIO:
        """Start the prompt; returns the stream focus writes its lines to from now on."""
        get_app_session().output  # noqa: B018 -- bind prompt_toolkit to the real stdout before it is replaced
        proxy = ScreenOut(on_drop=lambda n: self.on_drop(n))
        self._proxy = proxy
        # Stray prints and warnings go above the input line too, never through it.
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = proxy  # type: ignore[assignment]
        self._input = QuietInput(sys.__stdin__)
        self._session = self._new_session()
        threads.start(self._thread)
        return proxy  # type: ignore[return-value]

    # -- screen mode: the same line in the desk of the full-screen app (runtime/screenmode.py) ----------

    def desk_parts(self, accept: Callable[[Buffer], bool]) -> tuple[Buffer, KeyBindings, QuietInput]:
        """The input line's buffer (its history, completer and rules), key bindings and input, for the desk."""
        self._input = QuietInput(sys.__stdin__)
        buffer = Buffer(history=self._history, completer=TalkCompleter(self._names, self._held),
                        complete_while_typing=False, multiline=False, accept_handler=accept)
        return buffer, self._bindings(), self._input

    def take(self, text: str) -> str | None:
        """One typed line, as the prompt takes it: "quit", "confirm" (ask before /clear) or None."""
        if not text.strip():
            return None
        try:
            return self._accept(text)
        except Exception:  # a bug in handling this one line: the input line lives on
            self.on_crash(traceback.format_exc(), "line")
            return None

    def answered_clear(self, yes: bool) -> None:
        """The /clear question's answer (screen mode asks it in the desk)."""
        if yes and not self._stopping.is_set():
            self._confirm_clear()
        else:
            self._cancelled("/clear cancelled: nothing was deleted")

    def _new_session(self) -> PromptSession[str]:
        return PromptSession(
            history=self._history, completer=TalkCompleter(self._names, self._held), complete_while_typing=False,
            key_bindings=self._bindings(), erase_when_done=True, bottom_toolbar=self._toolbar, style=STYLE,
            input=self._input)

    def stop(self, timeout: float = 2.0) -> None:
        """End the prompt (any state), put the terminal back, flush what is left.  Idempotent."""
        self._stopping.set()
        app = get_app_session().app
        if app is not None and app.is_running and app.loop is not None:
            app.loop.call_soon_threadsafe(lambda: app.is_running and not app.is_done and app.exit(result=None))
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._proxy is not None:
            self._proxy.close()
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None

    def status(self, text: str) -> None:
        """The status under the input line (any thread; `text` is sanitized by the caller)."""
        self._status = text
        if self.crashed and self._proxy is not None:  # no toolbar any more: a line, as display-only focus does
            self._proxy.write(f"-- {text}\n")
            self._proxy.flush()
            return
        app = get_app_session().app
        if app is not None and app.is_running:
            app.invalidate()

    def resized(self) -> None:
        """The terminal changed size (SIGWINCH, main thread): erase and redraw the input line on its loop."""
        app = get_app_session().app
        loop = getattr(app, "loop", None)
        if app is None or not app.is_running or loop is None:
            return
        # prompt_toolkit redraws for SIGWINCH by itself only when it runs in the main thread; ours does not.
        redraw = getattr(app, "_on_resize", app.invalidate)
        try:
            loop.call_soon_threadsafe(lambda: app.is_running and redraw())
        except RuntimeError:  # its loop closed in between
            pass

    # -- the prompt thread ----------------------------------------------------------------

    def _toolbar(self) -> FormattedText:
        return FormattedText([("class:status", "-- " + self._status if self._status else "")])

    def _run(self) -> None:
        failures: list[float] = []
        draft = ""
        while True:
            try:
                self._prompts(draft)
                break
            except Exception:  # a bug: focus must neither stop nor freeze; the input line starts again
                trace = traceback.format_exc()
                now = time.monotonic()
                failures = [when for when in failures if now - when < RESTART_WINDOW] + [now]
                if len(failures) >= RESTARTS or self._stopping.is_set():  # it keeps failing: display-only
                    self.crashed = True
                    self.on_crash(trace, "fatal")
                    return
                self.on_crash(trace, "restarted")
                draft = self._session.default_buffer.text if self._session is not None else ""
                self._session = self._new_session()  # a fresh application: nothing of the failed one's state
        self._stopping.set()
        self._quit()

    def _catch(self) -> None:
        """Run in each prompt's loop before it starts: a bug in a key binding or the completer ends the prompt
        with that error, so `_run` sees it."""
        exit_on_loop_error(get_app())

    def _prompts(self, draft: str = "") -> None:
        session = self._session
        assert session is not None
        while not self._stopping.is_set():
            try:
                text = session.prompt(FormattedText([("class:prompt", "› ")]), pre_run=self._catch,
                                      set_exception_handler=False, default=draft)
            except (EOFError, KeyboardInterrupt):
                break
            draft = ""
            if text is None or self._stopping.is_set():
                break
            if not text.strip():
                continue
            try:
                want = self._accept(text)
            except Exception:  # a bug in handling this one line: the input line lives on
                self.on_crash(traceback.format_exc(), "line")
                continue
            if want == "quit":
                break
            if want == "confirm" and self._ask("delete every message in the chat, for everyone?"):
                self._confirm_clear()
            elif want == "confirm":
                self._cancelled("/clear cancelled: nothing was deleted")

    def _ask(self, question: str) -> bool:
        """y/n, one key; Ctrl-C or anything but y is no."""
        keys = KeyBindings()
        answer = [False]

        @keys.add("y")
        @keys.add("Y")
        def _yes(event: KeyPressEvent) -> None:
            answer[0] = True
            event.app.exit(result="y")

        @keys.add("<any>")
        @keys.add("c-c")
        @keys.add("enter")
        def _no(event: KeyPressEvent) -> None:
            event.app.exit(result="n")

        confirm: PromptSession[str] = PromptSession(key_bindings=keys, erase_when_done=True,
                                                    bottom_toolbar=self._toolbar, style=STYLE, input=self._input)
        try:
            confirm.prompt(FormattedText([("class:prompt", question + " (y/N) ")]), pre_run=self._catch,
                           set_exception_handler=False)
        except (EOFError, KeyboardInterrupt):
            return False
        return answer[0] and not self._stopping.is_set()

    def _suspended(self) -> None:
        terminal = self._input
        cooked = Vt100Input.cooked_mode(terminal) if terminal is not None else contextlib.nullcontext()
        self._continued.clear()
        with cooked:
            os.kill(0, signal.SIGTSTP)
            # The stop may land a moment after kill() returns (another thread takes the signal): wait for
            # the SIGCONT of `fg` (`resumed`), so raw mode comes back after the stop, not before it.  No
            # stop at all (SIGTSTP ignored, an orphaned process group) must not freeze the input line.
            self._continued.wait(SUSPEND_WAIT)

    def resumed(self) -> None:
        """SIGCONT (main thread): focus was continued after Ctrl-Z; redraw the input line."""
        self._continued.set()
        self.resized()

    def _bindings(self) -> KeyBindings:
        keys = KeyBindings()

        @keys.add(Keys.Vt100MouseEvent)
        def _mouse(event: KeyPressEvent) -> object:
            # `ESC [31m` typed or pasted without bracketed paste reads as a mouse report prompt_toolkit
            # cannot parse, and its error ended the input line: such keys do nothing.
            try:
                return MOUSE(event)
            except (ValueError, KeyError, IndexError, TypeError):
                return None

        @keys.add(Keys.BracketedPaste)
        def _paste(event: KeyPressEvent) -> object:
            if len(event.data) > PASTE_LIMIT:
                self._refused(f"a paste of {len(event.data):,} characters is not put on the line: a chat "
                              f"message takes at most {MAX_MESSAGE}")
                return None
            return PASTE(event)

        @keys.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            buffer = self._session.default_buffer if self._session is not None else event.app.current_buffer
            if buffer.text.strip():
                buffer.reset(append_to_history=True)  # cleared, not lost: Up brings it back
                # reset() drops the loaded history and reloads it only at the next redraw, which a
                # raid can delay past the next key: reload it now, so an Up right after finds it.
                buffer.load_history_if_not_yet_loaded()
            else:
                event.app.exit(exception=KeyboardInterrupt)

        @keys.add("c-z")
        def _suspend(event: KeyPressEvent) -> None:
            # Raw mode turned the terminal's own Ctrl-Z off: stop focus as the terminal would (the whole
            # process group, like make around it), with the line erased and the terminal cooked for the
            # shell; `fg` continues here: raw again, and the input line and chat come back.
            if hasattr(signal, "SIGTSTP"):
                run_in_terminal(self._suspended)

        @keys.add("c-d")
        def _end(event: KeyPressEvent) -> None:
            buffer = self._session.default_buffer if self._session is not None else event.app.current_buffer
            if buffer.text:
                buffer.delete()
            else:
                event.app.exit(exception=EOFError)

        # Ctrl-C and Ctrl-D while searching the history (Ctrl-R, Ctrl-S) end the search and keep the draft:
        # the search's own buffer is empty, and taking it for the line quit focus and lost what was typed.
        # (Added last: of two bindings for a key, the last one added wins.)
        @keys.add("c-c", filter=is_searching)
        @keys.add("c-d", filter=is_searching)
        def _end_search(event: KeyPressEvent) -> None:
            stop_search()

        return keys
