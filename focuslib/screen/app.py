"""The full-screen application: a header row, the chat pane, the desk; drawn by prompt_toolkit in its own thread.

Layout (top to bottom): the header (one row, `header(width, waiting)`), the chat pane (or, while one is open,
a private overlay over it), the desk (`desk_rows` rows, FOCUS_DESK_ROWS: the input line, then the result rows),
so a streamer crops exactly the desk out of the stream.  Everything the desk shows stays in its rows: the
completion list is one row in the result row, the /clear question and /find's prompt too; chat never shows
what is typed.

Threads: `start` runs the Application in a thread ("screen") with its own event loop; the main thread only
changes the pane (under its lock) and calls `invalidate`, which prompt_toolkit coalesces into at most one
redraw per interval (60 a second while frames are cheap, 30 at least: screen/frames.py, which also draws the
pane's rows after each frame), so a raid costs a few dozen redraws a second, not one per line, and chat never
waits for the terminal.  The application uses the alternate screen: nothing of chat reaches the terminal's scrollback, and
when it ends the terminal shows what it showed before.

The desk's input line is runtime/inputline.py's: its buffer's history, completer, key bindings and rules
come in through `DeskInput`; this package only places them.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from dataclasses import dataclass, field
from typing import Callable

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.filters import Condition, has_focus, is_searching
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyBindingsBase, KeyPressEvent, merge_key_bindings
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.processors import BeforeInput
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.widgets import SearchToolbar

from focuslib import threads
from focuslib.screen.pane import Pane, plain
from focuslib.screen.frames import REDRAW, echo_keys_at_once, paint_pane_after_frames
from focuslib.screen.panecontrol import PaneArea
from focuslib.text import sanitize
from focuslib.view.layout import cut, text_width

UPTIME_REFRESH = 20.0  # seconds between redraws when nothing happens: the header's uptime counts minutes
STYLE = Style.from_dict({
    "prompt": "bold", "result": "#8a8a8a", "find": "reverse", "find.current": "reverse bold",
    "overlay.title": "reverse", "completion": "", "completion.current": "reverse",
})

Header = Callable[[int, int], str]


@dataclass
class DeskInput:
    """What the input line brings to the desk (runtime/screenmode.py builds it from runtime/inputline.py)."""
    buffer: Buffer
    keys: KeyBindingsBase
    input: Input | None = None
    output: Output | None = None


@dataclass
class _Find:
    needle: str = ""
    match: int | None = None  # the current match's line
    typing: bool = False  # the desk asks for the text (Ctrl-F)
    buffer: Buffer = field(default_factory=lambda: Buffer(multiline=False))


def plain_header(status: Callable[[], str]) -> Header:
    """The header until the header model plugs in (runtime/setup.py, as the App is built): the session's
    status, cut to the width."""
    def header(width: int, waiting: int) -> str:
        parts = [part for part in (status(),) if part]
        if waiting:
            parts.append(f"{waiting:,} new below (End)")
        return "\x1b[7m" + cut(" " + " · ".join(parts), max(1, width)).ljust(width) + "\x1b[0m"
    return header


class ScreenApp:
    def __init__(self, pane: Pane, header: Header, desk: DeskInput, *, desk_rows: int = 2,
                 on_exit: Callable[[BaseException | None], None] = lambda error: None,
                 on_error: Callable[[str], None] = lambda trace: None, prompt: str = "› ") -> None:
        self.pane = pane
        self.header = header
        self.desk_input = desk
        self.desk_rows = max(2, desk_rows)
        self.on_exit = on_exit  # the application ended: None when asked to, else KeyboardInterrupt/EOFError/a bug
        self.on_error = on_error
        self.prompt = prompt  # "" where nothing can be typed (display-only screen mode: --no-input)
        self._results: list[str] = []  # the desk's last answers, newest last
        self._overlay: tuple[str, list[str]] | None = None
        self._overlay_top = 0  # the overlay's first line in view: PgUp/PgDn scroll an answer taller than the pane
        self._asking: tuple[str, Callable[[bool], None]] | None = None
        self._find = _Find()
        self._stopping = threading.Event()
        self.app = self._application()
        self._thread = threading.Thread(target=self._run, name="screen", daemon=True)

    def use_header(self, header: Header) -> None:
        """Draw the header row with `header` from now on (set-up plugs the header model in as the App is built)."""
        self.header = header

    # -- any thread ---------------------------------------------------------------------------------

    def start(self) -> None:
        threads.start(self._thread)

    def invalidate(self) -> None:
        """Redraw soon (coalesced; thread-safe)."""
        if self.app.is_running:
            self.app.invalidate()

    def desk(self, text: str) -> None:
        """A result for the desk's result row (a command's answer).  An answer longer than the desk opens
        in the overlay instead, and the desk says so."""
        lines = [sanitize(line) for line in text.split("\n")]
        room = self.desk_rows - 1
        if len(lines) > room:
            self.overlay(lines[0], lines[1:])
            lines = [f"{lines[0]} (above the chat: Esc closes it)"]
        self._results = (self._results + lines)[-room:]
        self.invalidate()

    def overlay(self, title: str, lines: list[str]) -> None:
        """A private answer over the chat pane until Esc (it is on stream while it is open)."""
        self._overlay = (sanitize(title), [sanitize(line) for line in lines])
        self._overlay_top = 0
        self.invalidate()

    def ask(self, question: str, answer: Callable[[bool], None]) -> None:
        """A y/N question in the desk; the next key answers it (only y is yes)."""
        self._asking = (sanitize(question), answer)
        self.invalidate()

    def find(self, needle: str) -> None:
        """Highlight `needle` in the pane and show its newest match (n/N, Ctrl-F, Enter: the next; Esc ends)."""
        def start() -> None:
            self._start_find(needle)
        self._call(start)

    def bell(self) -> None:
        self._call(lambda: (self.app.output.bell(), self.app.output.flush()))

    def resized(self) -> None:
        """SIGWINCH (main thread): prompt_toolkit redraws for it by itself only in the main thread."""
        self._call(getattr(self.app, "_on_resize", self.app.invalidate))

    def stop(self, timeout: float = 1.5) -> None:
        """End the application (any state) and wait for it to give the terminal back.  Idempotent."""
        self._stopping.set()
        self._call(lambda: self.app.is_done or self.app.exit())
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _call(self, fn: Callable[[], object]) -> None:
        loop = self.app.loop if self.app.is_running else None
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # its loop closed in between
            pass

    # -- the screen's thread ------------------------------------------------------------------------

    def _run(self) -> None:
        error: BaseException | None = None
        try:
            self.app.run(handle_sigint=False, pre_run=self._catch)
        except (KeyboardInterrupt, EOFError) as exc:
            error = exc
        except Exception as exc:  # a bug: the traceback for the devlog, the terminal given back
            self.on_error(traceback.format_exc())
            error = exc
        if not self._stopping.is_set():
            self.on_exit(error)

    def _catch(self) -> None:
        exit_on_loop_error(self.app)

    def _application(self) -> Application[None]:
        desk = self.desk_input
        search = SearchToolbar(ignore_case=True)
        self._search = search
        header = Window(FormattedTextControl(self._header_text), height=1)
        self._pane_area = pane = PaneArea(self.pane, lambda: (self._find.needle, self._find.match),
                                          lambda: self._overlay is not None)
        overlay = Window(FormattedTextControl(self._overlay_text), wrap_lines=True)
        self._input_control = BufferControl(desk.buffer, input_processors=[BeforeInput(self._prompt)],
                                            search_buffer_control=search.control)
        find = BufferControl(self._find.buffer, input_processors=[BeforeInput([("class:prompt", "find: ")])])
        self._find_control = find
        results = Window(FormattedTextControl(self._results_text, focusable=True), height=self.desk_rows - 1,
                         wrap_lines=False)
        self._results_window = results
        body = HSplit([
            header,
            # Which of the two is decided once a frame, before it is drawn (PaneArea.frame erases the pane's rows
            # when the overlay comes): an overlay opened by another thread meanwhile waits for the next frame.
            ConditionalContainer(pane, Condition(lambda: not self._pane_area.covering)),
            ConditionalContainer(overlay, Condition(lambda: self._pane_area.covering)),
            Window(self._input_control, height=1, dont_extend_height=True),
            ConditionalContainer(search, is_searching),
            ConditionalContainer(Window(find, height=1), Condition(lambda: self._find.typing)),
            ConditionalContainer(results, ~is_searching & Condition(lambda: not self._find.typing)),
        ])
        layout = Layout(body, focused_element=self._input_control)
        app: Application[None] = Application(
            layout=layout, key_bindings=merge_key_bindings([desk.keys, self._keys()]), full_screen=True,
            mouse_support=True, style=STYLE, min_redraw_interval=REDRAW, max_render_postpone_time=REDRAW,
            input=desk.input, output=desk.output, erase_when_done=True, refresh_interval=UPTIME_REFRESH)
        paint_pane_after_frames(app, self._pane_area)
        echo_keys_at_once(app)
        return app


    def _prompt(self) -> StyleAndTextTuples:
        if self._asking is not None:
            return [("class:prompt", self._asking[0] + " (y/N) ")]
        return [("class:prompt", self.prompt)]

    def _header_text(self) -> ANSI:
        width = self.app.output.get_size().columns
        try:
            return ANSI(self.header(width, self.pane.waiting()))
        except Exception:  # a header bug never takes the screen down: the devlog has it
            self.on_error(traceback.format_exc())
            return ANSI("")

    def _overlay_text(self) -> StyleAndTextTuples:
        if self._overlay is None:
            return []
        title, lines = self._overlay
        more = " · PgUp PgDn" if self._overlay_end(lines) else ""
        out: StyleAndTextTuples = [("class:overlay.title", f" {title} · Esc closes this{more} "), ("", "\n")]
        out.append(("", "\n".join(lines[self._overlay_top:])))
        return out

    def _overlay_end(self, lines: list[str]) -> int:
        """The overlay's last useful first line: from it on, the rest of `lines` fills the pane's rows (each
        line wrapped to the width), so PgDn stops with the answer's end on the bottom row."""
        width = max(1, self.app.output.get_size().columns)
        room = self._page()
        top = len(lines)
        while top > 0:
            room -= max(1, -(-text_width(lines[top - 1]) // width))
            if room < 0:
                break
            top -= 1
        return top

    def _scroll_overlay(self, pages: int) -> None:
        if self._overlay is not None:
            end = self._overlay_end(self._overlay[1])
            self._overlay_top = min(end, max(0, self._overlay_top + pages * self._page()))

    def _results_text(self) -> StyleAndTextTuples:
        state = self.desk_input.buffer.complete_state
        width = self.app.output.get_size().columns
        if state is not None and state.completions:  # one row of choices, the current one reversed
            out: StyleAndTextTuples = []
            used = 0
            index = state.complete_index or 0
            start = max(0, index - 3) if index is not None else 0
            for k, completion in enumerate(state.completions[start:], start):
                word = completion.display_text
                if used + len(word) + 1 > width:
                    break
                out.append(("class:completion.current" if k == state.complete_index else "class:completion", word))
                out.append(("", " "))
                used += len(word) + 1
            return out
        if self._find.needle and self._find.match is None:
            return [("class:result", f"no more lines with {self._find.needle!r} (Esc ends the search)")]
        if self._find.needle:
            return [("class:result", f"find {self._find.needle!r}: n older · N newer · Esc ends")]
        return [("class:result", "\n".join(cut(line, max(1, width - 1)) for line in self._results))]

    # -- keys -----------------------------------------------------------------------------------------

    def _keys(self) -> KeyBindings:
        keys = KeyBindings()
        asking = Condition(lambda: self._asking is not None)
        overlay = Condition(lambda: self._overlay is not None)
        browsing = Condition(lambda: bool(self._find.needle) and not self._find.typing)
        typing = Condition(lambda: self._find.typing)

        @keys.add("pageup", filter=~overlay)
        def _up(event: KeyPressEvent) -> None:
            self.pane.scroll(self._page())

        @keys.add("pagedown", filter=~overlay)
        def _down(event: KeyPressEvent) -> None:
            self.pane.scroll(-self._page())

        @keys.add("pageup", filter=overlay)  # an open overlay is what is read: it scrolls, the chat stays
        def _overlay_up(event: KeyPressEvent) -> None:
            self._scroll_overlay(-1)

        @keys.add("pagedown", filter=overlay)
        def _overlay_down(event: KeyPressEvent) -> None:
            self._scroll_overlay(1)

        @keys.add("home", filter=~has_focus(self.desk_input.buffer) | Condition(
            lambda: not self.desk_input.buffer.text))
        def _home(event: KeyPressEvent) -> None:
            self.pane.home()

        @keys.add("end", filter=~has_focus(self.desk_input.buffer) | Condition(
            lambda: not self.desk_input.buffer.text))
        def _end(event: KeyPressEvent) -> None:
            self.pane.end()

        @keys.add("c-f", filter=~browsing)
        def _find(event: KeyPressEvent) -> None:
            self._find.typing = True
            self._find.buffer.reset()
            event.app.layout.focus(self._find_control)

        @keys.add("enter", filter=typing)
        def _found(event: KeyPressEvent) -> None:
            self._start_find(self._find.buffer.text)

        @keys.add("n", filter=browsing)
        @keys.add("c-f", filter=browsing)
        @keys.add("enter", filter=browsing)
        def _older(event: KeyPressEvent) -> None:
            self._next_match(forward=False)

        @keys.add("N", filter=browsing)
        def _newer(event: KeyPressEvent) -> None:
            self._next_match(forward=True)

        @keys.add("escape", filter=browsing | typing, eager=True)
        def _end_find(event: KeyPressEvent) -> None:
            self._find = _Find(buffer=self._find.buffer)
            self._find.buffer.reset()
            self.pane.end()
            event.app.layout.focus(self._input_control)

        @keys.add("escape", filter=overlay & ~browsing & ~typing, eager=True)
        def _close(event: KeyPressEvent) -> None:
            self._overlay = None

        @keys.add("<any>", filter=asking, eager=True)
        @keys.add("c-c", filter=asking, eager=True)
        @keys.add("enter", filter=asking, eager=True)
        def _answer(event: KeyPressEvent) -> None:
            question = self._asking
            self._asking = None
            if question is not None:
                question[1](event.data in ("y", "Y"))

        return keys

    def _page(self) -> int:
        return max(1, self.app.output.get_size().rows - self.desk_rows - 2)

    def _start_find(self, needle: str) -> None:
        needle = needle.strip()
        self._find.typing = False
        if not needle:
            self._find = _Find(buffer=self._find.buffer)
            self.app.layout.focus(self._input_control)
            return
        self._find.needle = needle
        self._find.match = self.pane.find(needle, None)
        if self._find.match is not None:
            self.pane.show(self._find.match)
        self.app.layout.focus(self._results_window)  # n, N, Enter jump; typed text never goes to the line
        self.app.invalidate()

    def _next_match(self, forward: bool) -> None:
        match = self.pane.find(self._find.needle, self._find.match, forward=forward)
        if match is not None:
            self._find.match = match
            self.pane.show(match)


def exit_on_loop_error(app: Application[object]) -> None:
    """Run in an application's loop before it starts: an error in a callback or background task (a key binding,
    the completer) ends the application with that error, so its thread sees it.  prompt_toolkit's own handler
    would print the traceback on the screen and wait for Enter."""
    def failed(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        error = context.get("exception")
        if not isinstance(error, BaseException):
            error = RuntimeError(str(context.get("message", "error in the screen")))
        if app.is_running and not app.is_done:
            app.exit(exception=error)

    asyncio.get_running_loop().set_exception_handler(failed)


__all__ = ["DeskInput", "Header", "ScreenApp", "exit_on_loop_error", "plain_header", "plain"]
