"""Styled runs -> terminal rows: display width, painting, and wrapping with a hanging indent (pure).

A line is built as a list of runs `(text, sgr)`: already-sanitized text and the
SGR parameters to show it with ("" = plain).  `layout` paints the runs and, when
they are wider than the terminal, breaks them at spaces into rows; every row but
the first starts with `indent` spaces, so a wrapped message reads as one block.
A token wider than a row can hold (a long URL) is broken where the row ends and
goes on at the indent: left whole, the terminal folded it at column 0 and the
block lost its shape (a banner alone is never broken).  Styles are closed at the end of each row, so the indent
is never colored.  A line laid out in two columns (`/help`, `/history`, the
recap) hangs under its second column (`second_column`).
"""

from __future__ import annotations

import re

Run = tuple[str, str]
RESET = "\x1b[0m"
GLUE = "\x1f"  # joins a banner's words and padding while a line wraps (a space once wrapped; sanitized text has none)


def text_width(text: str) -> int:
    """Columns `text` takes (sanitized text: no control characters)."""
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth, wcwidth  # imported on first use: ~9 ms off focus's start-up

    w = wcswidth(text)
    if w >= 0:
        return w
    return sum(max(0, wcwidth(ch)) for ch in text)


def warm_up() -> None:
    """Load wcwidth (and page in its tables) before chat, not on the first emoji: ~0.7 MiB and ~10 ms that
    would land in the middle of a raid, and off start-up, which is over by the time this runs."""
    text_width("\u00e9\U0001f600")


def paint(runs: list[Run], color: bool) -> str:
    if not color:
        return "".join([t for t, _ in runs])
    return "".join([f"\x1b[{p}m{t}{RESET}" if p and t else t for t, p in runs])


def cut(text: str, columns: int) -> str:
    """`text` shortened to at most `columns` columns, with "…" when cut."""
    if text_width(text) <= columns:
        return text
    from wcwidth import wcwidth

    out, used = [], 0
    for ch in text:
        w = max(0, wcwidth(ch))
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


_TWO_COLUMNS = re.compile(r" *\S+(?: \S+)*  +(?=\S)")


def second_column(text: str) -> int:
    """Where the second column of a two-column line starts (the first gap of two or more spaces after
    text: `/ban USER [REASON]      ban USER ...`, `  top chatters  a 3, b 2`); 0 when there is none."""
    m = _TWO_COLUMNS.match(text)
    return text_width(m.group()) if m else 0


def fold(text: str, width: int | None) -> str:
    """A plain line (a recap or history line printed as it is) wrapped to `width` (None: as it is), hanging
    under its second column: the terminal would fold it at column 0."""
    return layout([(text, "")], width, second_column(text), False)[0]


def layout(runs: list[Run], width: int | None, indent: int, color: bool) -> tuple[str, int]:
    """Paint `runs`, wrapped to `width` (None, or a terminal that says 0 columns: never wrap);
    returns (text, terminal rows)."""
    if width is None or width < 1:
        return paint(runs, color), 1
    total = 0
    for t, _ in runs:
        total += len(t) if t.isascii() else text_width(t)
    if total <= width:
        return paint(runs, color), 1
    return _wrap(runs, width, indent, color)


def _words(runs: list[Run]) -> list[tuple[int, list[Run], int]]:
    """(spaces before, pieces, width) per word; a word may span runs (e.g. "@name,")."""
    words: list[tuple[int, list[Run], int]] = []
    spaces = 0
    pieces: list[Run] = []
    w = 0
    for text, sgr in runs:
        parts = text.split(" ")
        for k, part in enumerate(parts):
            if k:  # a space came before this part
                if pieces:
                    words.append((spaces, pieces, w))
                    spaces, pieces, w = 0, [], 0
                spaces += 1
            if part:
                pieces.append((part, sgr))
                w += text_width(part)
    if pieces:
        words.append((spaces, pieces, w))
    return words


def _wrap(runs: list[Run], width: int, indent: int, color: bool) -> tuple[str, int]:
    indent = max(0, min(indent, width * 2 // 3))
    rows: list[list[Run]] = []
    row: list[Run] = []
    col = 0
    has_word = False
    widths: list[int] = []
    for spaces, pieces, w in _fitted(_words(runs), max(1, width - indent)):
        if has_word and col + spaces + w > width:
            rows.append(row)
            widths.append(col)
            row, col, has_word = ([(" " * indent, "")] if indent else []), indent, False
        if has_word and spaces:
            row.append((" " * spaces, ""))
            col += spaces
        elif not rows and not has_word and spaces:  # leading spaces of the very first row
            row.append((" " * spaces, ""))
            col += spaces
        row.extend(pieces)
        col += w
        has_word = True
    rows.append(row)
    widths.append(col)
    count = sum(max(1, -(-cw // width)) for cw in widths)
    return "\n".join(paint(_merge(r), color) for r in rows), count


def _fitted(words: list[tuple[int, list[Run], int]], room: int) -> list[tuple[int, list[Run], int]]:
    """`words`, with each one wider than `room` (a row's width after the indent) cut into pieces that fit:
    the first keeps its spaces, the others follow with none (the wrap puts each on a row of its own).
    A banner (`[FIRST CHAT · MENTION]`, glued) is never cut: it stays one piece, wider than a row if need be."""
    out: list[tuple[int, list[Run], int]] = []
    for spaces, pieces, w in words:
        if w <= room or any(GLUE in text for text, _ in pieces):
            out.append((spaces, pieces, w))
            continue
        chunk: list[Run] = []
        used = 0
        for text, sgr in pieces:
            part = ""
            for ch in text:
                cw = text_width(ch)
                if used + cw > room and (part or chunk):
                    if part:
                        chunk.append((part, sgr))
                    out.append((spaces, chunk, used))
                    spaces, chunk, used, part = 0, [], 0, ""
                part += ch
                used += cw
            if part:
                chunk.append((part, sgr))
        if chunk:
            out.append((spaces, chunk, used))
    return out


def _merge(row: list[Run]) -> list[Run]:
    """Join neighbouring pieces of one style, so a row costs one escape per style change."""
    out: list[Run] = []
    for text, sgr in row:
        if out and out[-1][1] == sgr:
            out[-1] = (out[-1][0] + text, sgr)
        else:
            out.append((text, sgr))
    return out
