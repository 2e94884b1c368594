"""Events -> terminal lines (pure).  Sanitizer first, colors last.

Nothing here writes to a terminal: `Renderer` turns an event into a string and
`terminal.Terminal` decides where it goes.  Every line is a list of runs
(sanitized text, SGR parameters) that `layout` paints and wraps to the width
the caller injects (`Renderer.width`; None = never wrap).  Every escape
sequence this module emits is SGR (colors and bold/dim/italic/reverse), and none
at all when the mode is `ColorMode.NONE`.

Layout of a line: optional `[HH:MM]` timestamp, then for chat the badge marks,
the name in the chatter's color and the text; for everything else a symbol and
a color of its own, so a follow never reads like chat.  The moments a streamer
must not miss (raid, sub, first-time chatter, a mention of the broadcaster)
start with a highlighted banner label; `last_alert` tells the caller which.
Channel events and notices are drawn by `render_events`.
"""

from __future__ import annotations

import time
import zlib
from typing import Callable, Mapping

from focuslib.view.colors import DEFAULT_COLORS, ColorMode, detect_color_mode, parse_hex, readable, rgb_sgr
from focuslib.twitch.automod import HeldMessages
from focuslib.twitch.events import Badge, ChatMessage, Event, User
from focuslib.view.layout import Run, cut, layout, paint, text_width
from focuslib.view.render_events import renderers
from focuslib.view.render_notices import tier_label
from focuslib.view.style import ALERT_LABELS, BADGE_MARKS, BADGE_NAMES, CHEER_TIERS, STYLES, TYPE_LABELS
from focuslib.text import sanitize

__all__ = ["ColorMode", "Renderer", "detect_color_mode", "tier_label"]

DIM = "2"
BOLD = "1"
NBSP = "\u00a0"  # keeps a banner label in one piece when a line wraps

CACHE_SIZE = 1024  # painted names and chat heads kept: the chatters of the last minutes (bounded memory)


class Renderer:
    """Turns events and notices into single logical lines (no trailing newline)."""

    def __init__(self, mode: ColorMode, *, timestamps: bool = True, clock: Callable[[], float] = time.time,
                 width: int | None = None, theme: str = "dark") -> None:
        self.mode = mode
        self.color = mode is not ColorMode.NONE
        self.timestamps = timestamps
        self.width = width  # columns to wrap to; None = never wrap (pipes, files)
        self.theme = theme
        self.last_rows = 1  # terminal rows the last line takes
        self.last_alert = ""  # the ALERT_LABELS key of the last line, "" when it was no alert
        self.held = HeldMessages()  # AutoMod's queue as numbered on screen (the runtime shares its own)
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
        self._first: set[str] = set()  # message ids of first-time chatters focus's history found
        self._mention_me = f"{BOLD};7;{self.rgb('#FFD166')}" if self.color else ""
        self._mention = f"{BOLD};{self.styles['mention']}" if self.color else ""
        self._emote = f"3;{self.styles['emote']}" if self.color else ""
        self._dispatch: dict[type, Callable[[Event], str | None]] = {
            ChatMessage: self._chat,  # type: ignore[dict-item]
            **renderers(self),
        }

    def event(self, event: Event) -> str | None:
        """The line for `event`, or None when it is not shown on stream."""
        self.last_alert = ""
        handler = self._dispatch.get(type(event))
        return handler(event) if handler else None

    def mark_first(self, message_id: str) -> None:
        """The next line for `message_id` gets the first-time chatter banner (focus's own history says so)."""
        if len(self._first) > 64:  # only the message about to be rendered is ever in here
            self._first.clear()
        self._first.add(message_id)

    # -- building blocks ---------------------------------------------------

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
        shown = sanitize(user.name).strip() or sanitize(user.login) or "anonymous"
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
        label = ALERT_LABELS[alert]
        if not self.color:
            return (f"[{label}]", "")
        kind = {"first": "points", "mention": "me"}.get(alert, alert)
        return (f"{NBSP}{label}{NBSP}", f"{BOLD};7;{self.styles[kind]}")

    def finish(self, runs: list[Run], indent: int) -> str:
        text, self.last_rows = layout(runs, self.width, indent, self.color)
        return text

    def event_line(self, kind: str, parts: list[Run], alert: str = "") -> str:
        """A channel-event line: [stamp] [banner] symbol, then `parts` (already sanitized)."""
        self.last_alert = ""
        stamp = self.stamp_run()
        runs = [stamp]
        if alert:
            runs.append(self.banner(alert))
            runs.append((" ", ""))
        runs.append((self.symbols[kind] + " ", self.styles[kind]))
        runs.extend(parts)
        return self.finish(runs, text_width(stamp[0]) + 2)

    def notice(self, text: str, level: str = "info") -> str:
        params = {"info": "36", "warn": "33", "error": "1;31"}.get(level, "36") if self.color else ""
        stamp = self.stamp_run()
        return self.finish([stamp, ("! " + sanitize(text), params)], text_width(stamp[0]) + 2)

    def quiet(self, text: str) -> str:
        stamp = self.stamp_run()
        return self.finish([stamp, ("· " + sanitize(text), DIM if self.color else "")], text_width(stamp[0]) + 2)

    def gap(self, since: float, until: float) -> str:
        fmt = "%H:%M:%S"
        return self.quiet(f"reconnected: events between {time.strftime(fmt, time.localtime(since))} and "
                          f"{time.strftime(fmt, time.localtime(until))} may have been missed")

    # -- chat ----------------------------------------------------------------

    def _chat(self, m: ChatMessage) -> str:
        # The hot path (issue 5 benches 20,000 messages/s): the badges+name head
        # is cached painted and measured per chatter; a message that fits on
        # one row with no extras is joined without going through `layout`.
        color = self.color
        stamp = self.stamp_run()
        head = self._heads.get((m.chatter, m.color, m.badges))
        if head is None:
            head = self._head(m)
        body: list[Run] = []
        body_w = 0
        mention_me = False
        broadcaster = m.broadcaster
        body_style = (f"3;{head[0][-1][1]}" if m.action else "") if color else ""
        if color and m.message_type == "channel_points_highlighted":
            body_style = f"{BOLD};{self.styles['points']}"
        for f in m.fragments:
            kind = f.kind
            text = sanitize(f.text)
            body_w += len(text) if text.isascii() else text_width(text)
            if kind == "text":
                body.append((text, body_style))
            elif kind == "emote":
                body.append((text, self._emote))
            elif kind == "mention":
                if (f.user_id and f.user_id == broadcaster.id) or (f.login and f.login == broadcaster.login):
                    mention_me = m.chatter.id != broadcaster.id
                    body.append((text, self._mention_me))
                else:
                    known = self.mention_colors.get(f.login) if color else None
                    body.append((text, f"{BOLD};{self.rgb(known)}" if known else self._mention))
            else:  # cheermote
                body.append((text, f"{BOLD};{self._cheer_color(f.tier)}" if color else ""))
        source = m.source_broadcaster
        shared = source is not None and source.id != broadcaster.id
        first = self._first and m.message_id in self._first
        if first:
            self._first.discard(m.message_id)
        plain = not (first or m.reply or mention_me or shared or m.bits or m.reward_id or m.animation_id or m.action
                     or m.message_type != "text")
        if plain:
            width = self.width
            stamp_w = len(stamp[0])
            if width is None or stamp_w + head[1] + 2 + body_w <= width:
                self.last_rows = 1
                if not color:
                    return "".join([stamp[0], head[2], ": ", *[text for text, _ in body]])
                return "".join([self.sgr(stamp[1], stamp[0]), head[2], ": ", paint(body, True)])
        return self._chat_slow(m, stamp, head[0], body, mention_me, shared, bool(first))

    def _head(self, m: ChatMessage) -> tuple[list[Run], int, str]:
        """Badges and name of a chatter: runs, width and painted (bounded cache)."""
        runs = [*self.badge_runs(m.badges), self.name_run(m.chatter, m.color)]
        head = (runs, sum(text_width(text) for text, _ in runs), paint(runs, self.color))
        if len(self._heads) >= CACHE_SIZE:
            self._heads.clear()
        self._heads[(m.chatter, m.color, m.badges)] = head
        return head

    def _chat_slow(self, m: ChatMessage, stamp: Run, head: list[Run], body: list[Run], mention_me: bool,
                   shared: bool, first: bool = False) -> str:
        runs: list[Run] = [stamp]
        if first or m.message_type == "user_intro":
            runs += (self.banner("first"), (" ", ""))
        elif mention_me:
            runs += (self.banner("mention"), (" ", ""))
        if shared:
            assert m.source_broadcaster is not None
            runs.append((f"[{sanitize(m.source_broadcaster.display)}] ", DIM if self.color else ""))
        runs += head
        if m.reply is not None:
            runs += self._reply(m)
        runs.append((" ", "") if m.action else (": ", ""))
        indent = sum(text_width(text) for text, _ in runs)
        if self.width is not None and indent > self.width * 2 // 5:
            indent = text_width(stamp[0]) + 2
        label = TYPE_LABELS.get(m.message_type)
        if label is not None:
            runs.append((f"{self.symbols[label[0]]} {label[1]} ", self.styles[label[0]]))
        elif m.reward_id or m.animation_id:
            runs.append((f"{self.symbols['points']} {'animated' if m.animation_id else 'reward'} ",
                         self.styles["points"]))
        if m.bits:
            runs.append((f"{self.symbols['bits']}{m.bits} ", self.styles["bits"]))
        runs += body
        return self.finish(runs, indent)

    def _reply(self, m: ChatMessage) -> list[Run]:
        assert m.reply is not None
        dim = DIM if self.color else ""
        parent = sanitize(m.reply.parent_user.display)
        quote = cut(sanitize(m.reply.parent_body).strip(), 24)
        runs = [(" ↪ ", dim), ("@" + parent, dim)]
        if quote:
            runs.append((f' "{quote}"', f"{DIM};3" if self.color else ""))
        return runs

    def _cheer_color(self, tier: int) -> str:
        for floor, color in CHEER_TIERS:
            if tier >= floor:
                return self.rgb(color)
        return ""
