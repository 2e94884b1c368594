"""Make text from Twitch safe for a terminal that is shown on stream (pure).

`sanitize` removes whole escape sequences (CSI, OSC, DCS, ...), every other C0
and C1 control character, bidi overrides and isolates, and invisible
characters that can hide or reorder text (zero-width spaces, word joiners,
tag characters, Hangul fillers).  Tabs and line breaks become spaces, so one
message is always one logical line.  Runs of combining marks are cut short so
"zalgo" text cannot spill over neighbouring lines.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

_ESCAPES_PATTERN = (
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                 # CSI ... final byte
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?    # DCS, SOS, PM, APC ... ST
    | \x1b[ -/]*[0-~]?                         # two-byte and nF escapes
    | \x9b[0-?]*[ -/]*[@-~]?                   # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x9c]*[\x07\x9c]?  # 8-bit DCS/SOS/OSC/PM/APC
    """
)


# Printable by Python's rules, yet invisible on screen: used to fake empty
# names and hide text.  U+2800 BRAILLE PATTERN BLANK is not among them: it
# takes a column like a space, and braille art needs it to keep its shape (a
# name made only of it still shows as the login: `display_name`).
_SNEAKY = "\u115f\u1160\u3164\uffa0\u17b4\u17b5\u180e"
_SNEAKY_RE = re.compile(f"[{_SNEAKY}]")

_INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb" + _SNEAKY
)


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {c: None for c in range(0x20)}
    table.update({c: None for c in range(0x7F, 0xA0)})
    for c in (0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029):
        table[c] = " "
    table.update({ord(c): None for c in _INVISIBLE})
    table.update({c: None for c in range(0xE0000, 0xE0080)})  # tag characters
    table.update({c: None for c in range(0xD800, 0xE000)})  # lone surrogates
    return table


@functools.cache
def _slow_path() -> tuple[re.Pattern[str], dict[int, str | None]]:
    """The escape-sequence pattern and the deletion table, built on first need (not at start-up)."""
    return re.compile(_ESCAPES_PATTERN, re.VERBOSE), _build_table()
_MAX_MARKS = 3  # combining marks kept on one character; a longer run is "zalgo" and is cut


def mark_ranges() -> tuple[tuple[int, int], ...]:
    """The combining marks (Unicode categories Mn and Me) of the running Python's Unicode database, as ranges of
    code points: from `focuslib/text_marks.py` when it was made from the same Unicode version (a start reads it in
    well under a millisecond), computed otherwise (~60-80 ms of CPU: every code point's category)."""
    import unicodedata

    from focuslib import text_marks

    if text_marks.UNICODE_VERSION == unicodedata.unidata_version:
        return text_marks.RANGES
    return computed_mark_ranges()


def computed_mark_ranges() -> tuple[tuple[int, int], ...]:
    """`mark_ranges` read from `unicodedata` itself: what text_marks.py holds, and the fallback for another Unicode."""
    import unicodedata

    ranges: list[tuple[int, int]] = []
    for cp in (*range(0x30000), *range(0xE0000, 0xE1000)):  # no marks beyond these planes
        if unicodedata.category(chr(cp)) in ("Mn", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return tuple(ranges)


def marks_table_source() -> str:
    """focuslib/text_marks.py's text for the running Python's Unicode (when a new Python brings a new Unicode:
    `.venv/bin/python -c 'import focuslib.text as t; print(t.marks_table_source(), end="")' > focuslib/text_marks.py`)."""
    import unicodedata

    pairs = [f"(0x{a:05x}, 0x{b:05x})," for a, b in computed_mark_ranges()]
    rows = ["    " + " ".join(pairs[i:i + 5]) for i in range(0, len(pairs), 5)]
    return (f'"""The combining marks (Unicode categories Mn and Me) of Unicode {unicodedata.unidata_version}, as ranges of '
            'code points (data only).\n\n'
            "Made by `focuslib.text.marks_table_source()` so that a start does not read the category of every code point\n"
            "(~60-80 ms of CPU); used only when Python's `unicodedata.unidata_version` is the same, and\n"
            'tests/test_text_marks.py checks it against the running Python\'s database.\n"""\n\n'
            "from __future__ import annotations\n\n"
            f'UNICODE_VERSION = "{unicodedata.unidata_version}"\n\n'
            "RANGES: tuple[tuple[int, int], ...] = (\n" + "\n".join(rows) + "\n)\n")


@functools.cache
def _marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of more than _MAX_MARKS combining marks, and (in one pass) those or a sneaky character.

    Every combining mark counts (Unicode categories Mn and Me: Latin diacritics,
    Hebrew points, Arabic harakat, Thai and Devanagari vowel signs, ...), so no
    script's marks can stack over the neighbouring lines.  Built on first need
    (warm_up does it before the first line)."""
    cls = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in mark_ranges())
    marks = f"[{cls}]{{{_MAX_MARKS + 1},}}"
    return re.compile(marks), re.compile(f"[{_SNEAKY}]|{marks}")


def warm_up() -> None:
    """Build the tables `sanitize` needs for non-ASCII text now, not on the first such line."""
    _marks()
    _slow_path()


def sanitize(text: str) -> str:
    """`text` with nothing that could move the cursor, change the terminal or hide text."""
    if text.isprintable():
        # Printable ASCII (most chat) is safe as it is; isascii() is O(1).
        if text.isascii():
            return text
        marks, tricks = _marks()
        if tricks.search(text) is None:
            return text
        if _SNEAKY_RE.search(text) is None:  # only stacked combining marks
            return marks.sub(_cut_marks, text)
    escapes, table = _slow_path()
    if "\x1b" in text or any("\x90" <= ch <= "\x9f" for ch in text):
        text = escapes.sub("", text)
    text = text.translate(table)
    text = _strip_format(text)
    return _marks()[0].sub(_cut_marks, text)


def whole_number(text: str, most: int) -> int | None:
    """`text` as a whole number from 0 to `most`, or None.  ASCII digits only: str.isdigit() is also true of "²"
    (which int() refuses: a traceback instead of a usage line) and of "١٢٣"; and never more digits than `most`
    has, leading zeros aside, so int() never reads a huge one (it refuses over 4,300 digits, and a float made
    from it overflows)."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit() and len(digits) <= len(str(most))):
        return None
    n = int(digits)
    return n if n <= most else None


def display_name(name: str, login: str) -> str:
    """A user's name as shown: the display name, or the login when the name is empty or only invisible."""
    for text in (name, login):
        shown = sanitize(text).strip()
        if shown.replace("\u2800", " ").strip():  # not only blanks (spaces, braille blanks)
            return shown
    return "anonymous"


def sanitize_lines(text: str) -> str:
    """`sanitize` each line, keeping the line breaks (for multi-line messages such as errors)."""
    return "\n".join(sanitize(line) for line in text.split("\n"))


def _strip_format(text: str) -> str:
    # Other format characters (category Cf) are invisible; keep the joiners
    # that emoji sequences and several scripts need.
    if text.isprintable():
        return text
    import unicodedata  # the slow path only: not needed at start-up

    return "".join(ch for ch in text if ch in "\u200c\u200d" or unicodedata.category(ch) not in ("Cf", "Co", "Cn")
                   or _is_emoji_like(ch))


def _is_emoji_like(ch: str) -> bool:
    # Characters newer than Python's Unicode database report as unassigned
    # (Cn); new emoji live in these planes, so let them through.
    return 0x1F000 <= ord(ch) <= 0x1FAFF


def _cut_marks(match: re.Match[str]) -> str:
    return match.group(0)[:_MAX_MARKS]


def escape_unsafe(text: str) -> str:
    """For JSON shown in a terminal: write what `sanitize` would remove as \\uXXXX escapes.

    Applied to one line of JSON text, the result is still valid JSON (such
    characters can only stand inside strings) and shows every character.
    """
    if text.isprintable() and not _SNEAKY_RE.search(text):
        return text
    return "".join(ch if ch.isprintable() and ch not in _SNEAKY else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch == " ":
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells these as a surrogate pair
        code -= 0x10000
        return "\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return "\\u%04x" % code


def rfc3339(value: object) -> dt.datetime | None:
    """One of Twitch's RFC 3339 times (up to 9 fractional digits, `Z`), aware; one without a time zone (seen
    from local servers) is read as UTC; None when it is not a time."""
    import datetime as dt

    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def encoded_forms(secret: str) -> set[str]:
    """The secret as it may appear in a text: raw, in a repr, in JSON, URL-encoded (query or form)."""
    import json
    from urllib.parse import quote, quote_plus

    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             quote(secret, safe=""), quote_plus(secret, safe=""), secret.encode("unicode_escape").decode("ascii"),
             repr(secret.encode("utf-8", "replace"))[2:-1]}
    return {form for form in forms if len(form) >= 6}


MASK = "[redacted]"  # what a secret becomes in any text focus shows or logs


def mask(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with each of `secrets` (every encoded form, longest first) replaced by MASK."""
    for secret in sorted({form for s in secrets if s for form in encoded_forms(s)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
