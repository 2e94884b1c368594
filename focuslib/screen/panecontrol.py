"""The chat pane's UIControl: the rows in view, built once per line and width, never per character.

prompt_toolkit's FormattedTextControl made the pane's text a frame at a time: `ANSI` parses a painted line into
one fragment per character, `split_lines` walks them again, and the window asked for the whole text twice a
frame (once for its preferred height, once to draw it), about 60 % of a frame's CPU at 500 msg/s.  Here a
line becomes rows of merged fragments once (one fragment per colour run; cached by line, version, width and
/find's marks), the control reports no preferred height (the pane takes the rows its neighbours leave), and
a frame only picks the rows in view.

Lines come wrapped to the terminal's width by the renderer (view/layout.py's hanging indent).  A line laid out
for another width (the terminal was resized since, or a stray line that was never wrapped) is unwrapped and
laid out again by the same function for the width it is drawn at, so a resize re-wraps what is in the pane.
"""

from __future__ import annotations

import re
from typing import Callable

from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples
from prompt_toolkit.layout.controls import UIContent, UIControl
from prompt_toolkit.mouse_events import MouseEvent, MouseEventType

from focuslib.screen.pane import Entry, Pane
from focuslib.view.layout import Run, layout, text_width

WHEEL = 3  # lines one step of the mouse wheel scrolls
CACHE = 1024  # laid-out lines kept (a screenful and what a few PgUps bring back)
STYLES = 256  # SGR parameter strings whose prompt_toolkit style is kept
_SGR = re.compile("\x1b\\[([0-9;]*)m")
# Where a line that was never wrapped hangs, as view/ would have hung it: a chat line under its text, after
# the stamp, badges and name ("[18:23] ◆ [prime] Name: ": words without spaces, a few of them); any other line
# under its words, after the stamp and the symbol ("[18:23] ♥ ").
_STAMP = re.compile(r"\[\d\d:\d\d\] ")
_CHAT_HEAD = re.compile(r"(?:[^:\s]+ ){0,3}[^:\s]+: ")
_styles: dict[str, str] = {}

Rows = list[StyleAndTextTuples]


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


def style_of(params: str) -> str:
    """prompt_toolkit's style for SGR `params` (its own ANSI parser, asked once per parameter string)."""
    style = _styles.get(params)
    if style is None:
        parsed = ANSI(f"\x1b[{params}m.").__pt_formatted_text__() if params else [("", ".")]
        style = parsed[0][0] if parsed else ""
        if len(_styles) >= STYLES:
            _styles.clear()
        _styles[params] = style
    return style


def fragments_of(text: str) -> StyleAndTextTuples:
    """A painted line as merged fragments (one per colour run; rows still joined by newlines)."""
    if "\x1b" not in text:
        return [("", text)]
    return [(style_of(params), part) for part, params in runs_of(text)]


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


def mark(parts: StyleAndTextTuples, needle: str, style: str) -> StyleAndTextTuples:
    """`parts` with every occurrence of `needle` (any case) given `style` as well."""
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
    out: StyleAndTextTuples = []
    at = 0
    for fragment in parts:
        old, chunk = fragment[0], fragment[1]
        run = ""
        on = None
        for ch in chunk:
            hit = hits[at]
            at += 1
            if on is not None and hit != on:
                out.append((f"{old} {style}" if on else old, run))
                run = ""
            on = hit
            run += ch
        if run:
            out.append((f"{old} {style}" if on else old, run))
    return out


def split_rows(parts: StyleAndTextTuples) -> Rows:
    rows: Rows = [[]]
    for fragment in parts:
        style, text = fragment[0], fragment[1]
        first, *rest = text.split("\n")
        if first:
            rows[-1].append((style, first))
        for piece in rest:
            rows.append([(style, piece)] if piece else [])
    return rows


class PaneControl(UIControl):
    """The pane's lines in view, bottom-aligned, each cut to the rows it takes at the drawn width."""

    def __init__(self, pane: Pane, find: Callable[[], tuple[str, int | None]]) -> None:
        self.pane = pane
        self.find = find  # /find's (needle, current match's line)
        self._cache: dict[tuple[int, int, str, bool, int], Rows] = {}
        self.rows = 0  # rows drawn by the last frame

    def rows_of(self, entry: Entry, width: int) -> Rows:
        """One pane line as rows of fragments at `width`, /find's matches marked (cached)."""
        needle, match = self.find()
        current = entry.seq == match
        key = (entry.seq, entry.version, needle, current, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        text = entry.text
        if entry.width != width and ("\n" in text or text_width(_SGR.sub("", text)) > width):
            text = rewrap(text, width)
        parts = fragments_of(text)
        if needle:
            parts = mark(parts, needle, "class:find.current" if current else "class:find")
        rows = split_rows(parts)
        if len(self._cache) >= CACHE:
            self._cache.clear()
        self._cache[key] = rows
        return rows

    def create_content(self, width: int, height: int) -> UIContent:
        out: Rows = []
        for entry in reversed(self.pane.window(height)):  # newest first, until the pane's rows are full
            rows = self.rows_of(entry, width)
            out[:0] = rows[-(height - len(out)):] if len(rows) > height - len(out) else rows
            if len(out) >= height:
                break
        self.rows = len(out)
        last = max(0, len(out) - 1)
        return UIContent(get_line=out.__getitem__, line_count=len(out), cursor_position=Point(0, last),
                         show_cursor=False)

    def is_focusable(self) -> bool:
        return False

    def mouse_handler(self, mouse_event: MouseEvent) -> object:
        if mouse_event.event_type == MouseEventType.SCROLL_UP:
            self.pane.scroll(WHEEL)
            return None
        if mouse_event.event_type == MouseEventType.SCROLL_DOWN:
            self.pane.scroll(-WHEEL)
            return None
        return NotImplemented


__all__ = ["PaneControl", "fragments_of", "mark", "rewrap", "runs_of", "style_of"]
