"""The building blocks of every line (pure): runs, names, badges, banners, stamps, wrapping.

`Lines` holds what all lines share -- the color depth, the theme, the width,
the caches of painted names and badges -- and the blocks the renderers build
from.  `render.Renderer` adds chat and the table of event renderers; the
modules that draw events (`render_events`, `render_notices`,
`render_moderation`) take a `Lines` and use only its public blocks, so none of
them needs the renderer (no import circle).  Sanitizer first, colors last.
"""

from __future__ import annotations

import time
import zlib
from collections import OrderedDict
from typing import Callable, Mapping

from focuslib.text import display_name, sanitize
from focuslib.twitch.automod import HeldMessages
from focuslib.twitch.events import Badge, User
from focuslib.view.colors import DEFAULT_COLORS, ColorMode, parse_hex, readable, rgb_sgr
from focuslib.view.layout import GLUE, Run, layout, second_column, text_width
from focuslib.view.style import ALERT_LABELS, BADGE_MARKS, BADGE_NAMES, STYLES

DIM = "2"
BOLD = "1"

CACHE_SIZE = 1024  # painted names and chat heads kept: the chatters of the last minutes (bounded memory)
WITHHELD = 256  # events waiting to be drawn without their held text (a twin waits 1.5 s at most)


class Lines:
    """What every line is built from; see the module docstring."""

    def __init__(self, mode: ColorMode, *, timestamps: bool = True, clock: Callable[[], float] = time.time,
                 width: int | None = None, theme: str = "dark", held: HeldMessages | None = None) -> None:
        self.mode = mode
        self.color = mode is not ColorMode.NONE
        self.timestamps = timestamps
        self.width = width  # columns to wrap to; None = never wrap (pipes, files)
        self.theme = theme
        self.last_rows = 1  # terminal rows the last line takes
        self.last_alert = ""  # the ALERT_LABELS key of the last line, "" when it was no alert
        self.mark = False  # the next line is highlighted (view/filters.py): `✱` after the stamp; reset per event
        # AutoMod's queue as numbered on screen: the runtime passes the table /allow N reads, so `#3` is the same.
        self.held = held if held is not None else HeldMessages()
        self._clock = clock
        self._stamp_minute = -1
        self._stamp: Run = ("", "")
        self._rgb_cache: dict[str, str] = {}
        self._name_cache: dict[tuple[str, str, str], Run] = {}
        self._badge_cache: dict[tuple[Badge, ...], list[Run]] = {}
        self._heads: dict[tuple[User, str, tuple[Badge, ...]], tuple[list[Run], int, str]] = {}
        self.styles = {kind: self.rgb(color) for kind, (_, color) in STYLES.items()}
        self.symbols = {kind: symbol for kind, (symbol, _) in STYLES.items()}
        # Chat colors by login, for @mentions (a bounded map the runtime keeps; empty: one mention color).
        self.mention_colors: Mapping[str, str] = {}
        self.mention_me_style = f"{BOLD};7;{self.rgb('#FFD166')}" if self.color else ""  # @ the broadcaster
        self.mention_style = f"{BOLD};{self.styles['mention']}" if self.color else ""
        self.emote_style = f"3;{self.styles['emote']}" if self.color else ""
        self._withheld: OrderedDict[int, object] = OrderedDict()  # id -> event shown without its held text

    def withhold(self, event: object) -> None:
        """`event` (its text already taken out) is shown with `(message held)` where the text would be: the hold
        queue keeps that text for /release.  Kept by identity, with the event itself (its id stays its own)."""
        withheld = self._withheld
        withheld[id(event)] = event
        if len(withheld) > WITHHELD:
            withheld.popitem(last=False)

    def text_held(self, event: object) -> list[Run]:
        """The `(message held)` mark for an event the hold queue took the text of (once per line drawn)."""
        if self._withheld.get(id(event)) is not event:
            return []
        del self._withheld[id(event)]
        return [(" (message held)", DIM if self.color else "")]

    def rgb(self, color: str) -> str:
        """SGR parameters for `#RRGGBB`, made readable on the theme and fitted to the color depth."""
        params = self._rgb_cache.get(color)
        if params is None:
            rgb = parse_hex(color)
            params = rgb_sgr(readable(rgb, self.theme), self.mode, self.theme) if rgb and self.color else ""
            self._rgb_cache[color] = params
        return params

    def sgr(self, params: str, text: str) -> str:
        if not self.color or not params:
            return text
        return f"\x1b[{params}m{text}\x1b[0m"

    def stamp_run(self) -> Run:
        if not self.timestamps:
            return ("", "")
        now = self._clock()
        minute = int(now // 60)
        if minute != self._stamp_minute:
            self._stamp_minute = minute
            self._stamp = (time.strftime("[%H:%M] ", time.localtime(now)), DIM if self.color else "")
        return self._stamp

    def name_run(self, user: User, color: str = "") -> Run:
        """A user's name, sanitized, bold in their chat color (bounded cache)."""
        key = (user.name, user.login, color)
        cached = self._name_cache.get(key)
        if cached is not None:
            return cached
        shown = display_name(user.name, user.login)
        if not parse_hex(color):
            color = DEFAULT_COLORS[zlib.crc32(user.login.encode()) % len(DEFAULT_COLORS)]
        run = (shown, f"{BOLD};{self.rgb(color)}" if self.color else "")
        if len(self._name_cache) >= CACHE_SIZE:
            self._name_cache.clear()
        self._name_cache[key] = run
        return run

    def badge_runs(self, badges: tuple[Badge, ...]) -> list[Run]:
        """Marks for the badges that matter on stream; the rest by (short) name."""
        cached = self._badge_cache.get(badges)
        if cached is not None:
            return cached
        runs: list[Run] = []
        others = []
        for badge in badges:
            mark = BADGE_MARKS.get(badge.set_id)
            if mark is None:
                others.append(BADGE_NAMES.get(badge.set_id, badge.set_id))
                continue
            months = badge.info if badge.set_id in ("subscriber", "founder") and badge.info.isdigit() else ""
            runs.append((mark[0] + months, self.rgb(mark[1])))
            runs.append((" ", ""))
        names = " ".join(filter(None, (sanitize(n)[:20] for n in others)))
        if names:
            runs.append((f"[{names}]", DIM if self.color else ""))
            runs.append((" ", ""))
        if len(self._badge_cache) >= CACHE_SIZE:
            self._badge_cache.clear()
        self._badge_cache[badges] = runs
        return runs

    def banner(self, alert: str) -> Run:
        """The highlighted label an alert line starts with."""
        self.last_alert = alert
        label = ALERT_LABELS[alert].replace(" ", GLUE)  # one word: a wrap never splits it
        if not self.color:
            return (f"[{label}]", "")
        kind = {"first": "points", "first_mention": "points", "mention": "me"}.get(alert, alert)
        return (f"{GLUE}{label}{GLUE}", f"{BOLD};7;{self.styles[kind]}")

    def mark_runs(self) -> list[Run]:
        """The highlight mark: a symbol, so it shows with NO_COLOR too, in reverse video where there is color."""
        if not self.color:
            return [(self.symbols["highlight"], ""), (" ", "")]
        return [(f"{GLUE}{self.symbols['highlight']}{GLUE}", f"{BOLD};7;{self.styles['highlight']}"), (" ", "")]

    def finish(self, runs: list[Run], indent: int) -> str:
        text, self.last_rows = layout(runs, self.width, indent, self.color)
        return text.replace(GLUE, " ") if GLUE in text else text  # wrapped already: a plain space from here on

    def event_line(self, kind: str, parts: list[Run], alert: str = "") -> str:
        """A channel-event line: [stamp] [banner] symbol, then `parts` (already sanitized)."""
        self.last_alert = ""
        stamp = self.stamp_run()
        runs = [stamp]
        if alert:
            runs.append(self.banner(alert))
            runs.append((" ", ""))
        if self.mark:
            runs += self.mark_runs()
        runs.append((self.symbols[kind] + " ", self.styles[kind]))
        runs.extend(parts)
        return self.finish(runs, text_width(stamp[0]) + 2)

    def notice(self, text: str, level: str = "info") -> str:
        """focus's own line: level info, warn or error ("! ..."), or done ("· ...": a command's result)."""
        if level == "done":
            return self.quiet(text)
        params = {"info": "36", "warn": "33", "error": "1;31"}.get(level, "36") if self.color else ""
        stamp = self.stamp_run()
        return self.finish([stamp, ("! " + sanitize(text), params)], text_width(stamp[0]) + 2)

    def quiet(self, text: str) -> str:
        """A command's answer: `/help`, `/history` and the like hang under their second column."""
        stamp = self.stamp_run()
        text = sanitize(text)
        indent = text_width(stamp[0]) + 2
        hang = indent + second_column(text)
        if self.width is None or hang <= self.width * 2 // 3:  # else too narrow a column: under the text
            indent = hang
        return self.finish([stamp, ("· " + text, DIM if self.color else "")], indent)

    def gap(self, since: float, until: float) -> str:
        fmt = "%H:%M:%S"
        return self.quiet(f"reconnected: events between {time.strftime(fmt, time.localtime(since))} and "
                          f"{time.strftime(fmt, time.localtime(until))} may have been missed")
