"""The chat pane's rows, drawn by focus itself: row by row, only the rows that changed, each written whole.

prompt_toolkit draws the header and the desk; the pane's area is a container that draws nothing into
prompt_toolkit's screen (`PaneArea`), so its diff never touches it, and after each frame `paint` writes the
pane's rows that changed since the last one, with cursor moves, the cursor saved and restored around them (one
write with prompt_toolkit's frame).  Drawing the pane through prompt_toolkit cost a 500 msg/s frame ~17 ms: it
copies every character into its screen and compares every cell with the last frame's, in Python, and a pane
that scrolls changes every cell; here a frame costs a few string comparisons per row.  When prompt_toolkit
redraws everything (the first frame, a resize, Ctrl-Z and fg) or the pane's area moved or was covered (the
overlay, the search row), every row is written again.

A line becomes its rows once (painted, with their widths; cached by line, version, width and /find's marks).
Lines come wrapped to the terminal's width by the renderer (view/layout.py's hanging indent); a line laid out
for another width (the terminal was resized since, or a stray line never wrapped) is unwrapped and laid out
again by the same function for the width it is drawn at, so a resize re-wraps what is in the pane.
"""

from __future__ import annotations

import re
from typing import Callable

from prompt_toolkit.layout.containers import Container
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.layout.mouse_handlers import MouseHandlers
from prompt_toolkit.layout.screen import Screen, WritePosition
from prompt_toolkit.mouse_events import MouseEvent, MouseEventType
from prompt_toolkit.output import Output

from focuslib.screen.pane import Entry, Pane
from focuslib.view.layout import Run, layout, text_width

WHEEL = 3  # lines one step of the mouse wheel scrolls
CACHE = 1024  # laid-out lines kept (a screenful and what a few PgUps bring back)
_SGR = re.compile("\x1b\\[([0-9;]*)m")
# Where a line that was never wrapped hangs, as view/ would have hung it: a chat line under its text, after
# the stamp, badges and name ("[18:23] ◆ [prime] Name: ": words without spaces, a few of them); any other line
# under its words, after the stamp and the symbol ("[18:23] ♥ ").
_STAMP = re.compile(r"\[\d\d:\d\d\] ")
_CHAT_HEAD = re.compile(r"(?:[^:\s]+ ){0,3}[^:\s]+: ")

Rows = list[tuple[str, int]]  # painted rows and their widths in columns
FIND, FIND_CURRENT = "7", "7;1"  # /find's marks: reverse, the current match bold too


def runs_of(text: str) -> list[Run]:
    """A painted line as (text, SGR parameters) runs, the parameters in force since the last reset."""
    out: list[Run] = []
    state = ""
    at = 0
    for m in _SGR.finditer(text):
        if m.start() > at:
            out.append((text[at:m.start()], state))
        params = m.group(1)
        state = "" if params in ("", "0") else f"{state};{params}" if state else params
        at = m.end()
    if at < len(text):
        out.append((text[at:], state))
    return out


def rewrap(text: str, width: int) -> str:
    """`text` (laid out for another width, or never) laid out again for `width`, hanging as it hung."""
    rows = text.split("\n")
    runs: list[Run] = []
    indent = 0
    for k, row in enumerate(rows):
        row_runs = runs_of(row)
        if k:
            spaces = len(row) - len(row.lstrip(" "))
            indent = indent or spaces
            row_runs = runs_of(row[spaces:])
            runs.append((" ", ""))
        runs += row_runs
    plain = "".join(part for part, _ in runs)
    stamp = _STAMP.match(plain)
    at = stamp.end() if stamp else 0
    head = _CHAT_HEAD.match(plain, at)
    if head is not None:  # a chat line hangs under its text
        indent = text_width(plain[:head.end()])
    elif len(rows) == 1:  # never wrapped: an event's words hang after the stamp and the symbol
        indent = at + 2
    if head is not None and indent > width * 2 // 5:  # a chat line's head too wide for the column: under the stamp, as view/ does
        indent = at + 2
    return layout(runs, width, indent, True)[0]


def mark(parts: list[tuple[str, str]], needle: str, params: str) -> list[tuple[str, str]]:
    """(SGR parameters, text) `parts` with every occurrence of `needle` (any case) given `params` as well."""
    text = "".join(fragment[1] for fragment in parts)
    low, n = text.casefold(), needle.casefold()
    if len(low) != len(text):  # casefolding changed the length (ß): mark nothing rather than the wrong place
        return parts
    hits = [False] * len(text)
    start = low.find(n)
    while start >= 0 and n:
        for k in range(start, start + len(n)):
            hits[k] = True
        start = low.find(n, start + len(n))
    if not any(hits):
        return parts
    out: list[tuple[str, str]] = []
    at = 0
    for fragment in parts:
        old, chunk = fragment[0], fragment[1]
        run = ""
        on = None
        for ch in chunk:
            hit = hits[at]
            at += 1
            if on is not None and hit != on:
                out.append((_sgr_join(old, params) if on else old, run))
                run = ""
            on = hit
            run += ch
        if run:
            out.append((_sgr_join(old, params) if on else old, run))
    return out


def _sgr_join(old: str, style: str) -> str:
    return f"{old};{style}" if old else style


def painted_rows(text: str, needle: str = "", style: str = FIND) -> Rows:
    """`text`'s rows, each painted on its own (its colours reset at its end) with its width; `needle` marked."""
    out: Rows = []
    for row in text.split("\n"):
        if needle:
            runs = mark([(params, part) for part, params in runs_of(row)], needle, style)
            row = "".join(f"\x1b[{params}m{part}\x1b[0m" if params else part for params, part in runs)
        plain = _SGR.sub("", row) if "\x1b" in row else row
        out.append((row, len(plain) if plain.isascii() else text_width(plain)))
    return out


class PaneArea(Container):
    """The pane's place in prompt_toolkit's layout: it takes the rows left over and draws nothing there itself
    (`paint` does, after prompt_toolkit's frame); the mouse wheel over it scrolls the pane."""

    def __init__(self, pane: Pane, find: Callable[[], tuple[str, int | None]],
                 covered: Callable[[], bool] = lambda: False) -> None:
        self.pane = pane
        self.find = find  # /find's (needle, current match's line)
        self._covered = covered  # the overlay is open: the layout puts it where the pane was
        self.covering = False  # ... as this frame's layout has it (read once, before prompt_toolkit draws)
        self._cache: dict[tuple[int, int, str, bool, int], Rows] = {}
        self._where: WritePosition | None = None  # where this frame's layout put the pane; None: not shown
        self._shown: list[tuple[str, int] | None] = []  # the rows on the terminal now, top to bottom
        self._at: tuple[int, int, int, int] | None = None  # and where they are
        self.rows = 0  # rows drawn by the last frame

    # -- prompt_toolkit's Container ------------------------------------------------------------------

    def reset(self) -> None:
        pass

    def preferred_width(self, max_available_width: int) -> Dimension:
        return Dimension()

    def preferred_height(self, width: int, max_available_height: int) -> Dimension:
        return Dimension()  # none: the pane takes the rows the header and the desk leave

    def write_to_screen(self, screen: Screen, mouse_handlers: MouseHandlers, write_position: WritePosition,
                        parent_style: str, erase_bg: bool, z_index: int | None) -> None:
        self._where = write_position
        wp = write_position
        mouse_handlers.set_mouse_handler_for_range(wp.xpos, wp.xpos + wp.width, wp.ypos, wp.ypos + wp.height,
                                                   self._mouse)

    def get_children(self) -> list[Container]:
        return []

    # -- the screen's thread, after prompt_toolkit's frame ---------------------------------------------

    def frame(self, output: Output) -> None:
        """A frame begins, before prompt_toolkit draws: the pane is drawn only if the layout places it (not under
        the overlay).  When the overlay comes over the pane, the pane's rows are erased first: prompt_toolkit
        writes only the overlay's own characters (the pane's cells were empty in its last screen, as they are in
        its new one beyond the overlay's text), so the chat beside and under the overlay's lines stayed on
        stream, a removed message with it, mixed with the private answer."""
        self._where = None
        self.covering = self._covered()
        if self.covering and self._at is not None:
            x, y, _, height = self._at
            output.write_raw("\x1b7\x1b[0m" + "".join(f"\x1b[{y + k + 1};{x + 1}H\x1b[K" for k in range(height))
                             + "\x1b8")
            self._at = None

    def paint(self, output: Output, everything: bool) -> None:
        """Write the pane's rows that changed (all of them when prompt_toolkit redrew `everything`)."""
        wp = self._where
        if wp is None:  # covered (the overlay): when it is shown again, prompt_toolkit has drawn over it
            self._at = None
            return
        at = (wp.xpos, wp.ypos, wp.width, wp.height)
        if everything or at != self._at:
            self._shown = [None] * wp.height
            self._at = at
        rows = self.visible(wp.width, wp.height)
        out: list[str] = []
        shift = self._shift(rows) if wp.ypos > 0 else 0  # a region from the top row would fill the scrollback
        if shift:  # chat moved up: the terminal scrolls the pane's rows (its region only), the new ones follow
            top, bottom = wp.ypos + 1, wp.ypos + wp.height
            out.append(f"\x1b[0m\x1b[{top};{bottom}r\x1b[{bottom};1H" + "\x1bD" * shift + "\x1b[r")
            self._shown = self._shown[shift:] + [("", 0)] * shift
        for y in range(wp.height):
            row = rows[y] if y < len(rows) else ("", 0)
            if row == self._shown[y]:
                continue
            self._shown[y] = row
            out.append(f"\x1b[{wp.ypos + y + 1};{wp.xpos + 1}H{row[0]}")
            if row[1] < wp.width:  # a full row ends in the last column: erasing there would take its last cell
                out.append("\x1b[0m\x1b[K")
        if out:  # the cursor is where prompt_toolkit left it (the desk's input line), as prompt_toolkit thinks
            output.write_raw("\x1b7" + "".join(out) + "\x1b8")

    def _shift(self, rows: Rows) -> int:
        """By how many rows what is on the terminal moved up in `rows` (0: it did not, or not by the same)."""
        shown = self._shown
        height = len(shown)
        if not height or len(rows) < height or None in shown:  # a pane not yet full (or of no rows) never scrolls
            return 0
        first = rows[0]
        for k in range(1, height // 2 + 1):  # more than half the rows new: writing them costs the same
            if shown[k] == first and shown[k:] == rows[:height - k]:
                return k
        return 0

    def visible(self, width: int, height: int) -> Rows:
        """The rows in view, top to bottom: the newest lines' rows, as many as `height` holds."""
        out: Rows = []
        for entry in reversed(self.pane.window(height)):  # newest first, until the pane's rows are full
            rows = self.rows_of(entry, width)
            room = height - len(out)
            out[:0] = rows[-room:] if len(rows) > room else rows
            if len(out) >= height:
                break
        self.rows = len(out)
        return out

    def rows_of(self, entry: Entry, width: int) -> Rows:
        """One pane line as painted rows at `width`, /find's matches marked (cached)."""
        needle, match = self.find()
        current = entry.seq == match
        key = (entry.seq, entry.version, needle, current, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        text = entry.text
        if entry.width != width and ("\n" in text or text_width(_SGR.sub("", text)) > width):
            text = rewrap(text, width)
        rows = painted_rows(text, needle, FIND_CURRENT if current else FIND)
        if len(self._cache) >= CACHE:
            self._cache.clear()
        self._cache[key] = rows
        return rows

    def _mouse(self, mouse_event: MouseEvent) -> None:
        if mouse_event.event_type == MouseEventType.SCROLL_UP:
            self.pane.scroll(WHEEL)
        elif mouse_event.event_type == MouseEventType.SCROLL_DOWN:
            self.pane.scroll(-WHEEL)


__all__ = ["PaneArea", "mark", "painted_rows", "rewrap", "runs_of"]
