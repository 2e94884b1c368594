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
Channel events and notices are drawn by `render_events` (and the modules it
gathers), from the building blocks in `lines`.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from focuslib.text import display_name, sanitize
from focuslib.twitch.automod import HeldMessages
from focuslib.twitch.events import AutoModUpdate, ChannelUnban, ChatMessage, Event, User
from focuslib.view import render_notices as notices
from focuslib.view.colors import ColorMode
from focuslib.view.layout import Run, cut, paint, text_width
from focuslib.view.lines import BOLD, CACHE_SIZE, DIM, Lines
from focuslib.view.render_community import renderers as community_renderers
from focuslib.view.render_events import deleted_chat_line, renderers, timeout_ended
from focuslib.view.render_moderation import automod_resolved_in_place
from focuslib.view.style import CHEER_TIERS, TYPE_LABELS

__all__ = ["ColorMode", "Renderer"]


class Renderer(Lines):
    """Turns events and notices into single logical lines (no trailing newline)."""

    def __init__(self, mode: ColorMode, *, timestamps: bool = True, clock: Callable[[], float] = time.time,
                 width: int | None = None, theme: str = "dark", held: HeldMessages | None = None) -> None:
        super().__init__(mode, timestamps=timestamps, clock=clock, width=width, theme=theme, held=held)
        self._first: set[str] = set()  # message ids of first-time chatters focus's history found
        self._no_quote: set[str] = set()  # message ids of replies to a message the hold queue keeps off stream
        self._no_first: set[str] = set()  # first-time chatters named in a wave's summary line instead
        self._dispatch: dict[type, Callable[[Event], str | None]] = {
            ChatMessage: self._chat,  # type: ignore[dict-item]
            **renderers(self),
            **{cls: (lambda e, f=f: f(self, e)) for cls, f in community_renderers().items()},
        }

    def event(self, event: Event) -> str | None:
        """The line for `event`, or None when it is not shown on stream."""
        self.last_alert = ""
        handler = self._dispatch.get(type(event))
        try:
            return handler(event) if handler else None
        finally:
            self.mark = False  # set by the presenter for this event only

    def mark_first(self, message_id: str) -> None:
        """The next line for `message_id` gets the first-time chatter banner (focus's own history says so)."""
        if len(self._first) > 64:  # only the message about to be rendered is ever in here
            self._first.clear()
        self._first.add(message_id)

    def is_first(self, m: ChatMessage) -> bool:
        """Whether `m` will be drawn with the first-time chatter banner (focus's history, or Twitch's intro)."""
        return m.message_id in self._first or m.message_type == "user_intro"

    def plain_first(self, message_id: str) -> None:
        """The next line for `message_id` gets no first-time banner: a wave of them is summed up in one line."""
        if len(self._no_first) > 64:  # only the message about to be rendered is ever in here
            self._no_first.clear()
        self._no_first.add(message_id)

    def first_summary(self, names: Sequence[User], window: float) -> str:
        return notices.first_summary(self, names, window)

    def hide_quote(self, message_id: str) -> None:
        """The next line for `message_id` (a reply) does not quote its parent: the hold queue keeps that text
        off stream, and Twitch repeats it in every reply."""
        if len(self._no_quote) > 64:  # only the message about to be rendered is ever in here
            self._no_quote.clear()
        self._no_quote.add(message_id)

    # -- lines the presenter asks for by name --------------------------------

    def chat_head(self, m: ChatMessage) -> list[Run]:
        """What stays of a chat line when it is deleted in place: stamp, badges, name."""
        return [self.stamp_run(), *self.badge_runs(m.badges), self.name_run(m.chatter, m.color), (": ", "")]

    def deleted_chat(self, head: list[Run]) -> str:
        """A deleted chat line, rewritten where the terminal lets focus do that."""
        return deleted_chat_line(self, head)

    def automod_resolved(self, e: AutoModUpdate) -> str | None:
        """A held message's line once a moderator decided, to rewrite in place; None if focus never numbered it."""
        held = self.held.resolve(e.message_id, e.status)
        return None if held is None else automod_resolved_in_place(self, e, held.number)

    def timeout_ended(self, e: ChannelUnban) -> str:
        """An unban that ends a timeout (Twitch sends `channel.unban` for both)."""
        return timeout_ended(self, e)

    def follow_summary(self, names: Sequence[User], window: float) -> str:
        return notices.follow_summary(self, names, window)

    def gift_bomb(self, gifter: User | None, count: int, tier: str) -> str:
        return notices.gift_bomb(self, gifter, count, tier)

    def gift_recipients(self, recipients: Sequence[User], total: int, cumulative: int | None = None) -> str:
        return notices.gift_recipients(self, recipients, total, cumulative)

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
        if color and self.mark:  # highlighted by the streamer's rules: the text in bold, beside the mark
            body_style = f"{BOLD};{body_style}" if body_style else BOLD
        for f in m.fragments:
            kind = f.kind
            text = sanitize(f.text)
            body_w += len(text) if text.isascii() else text_width(text)
            if kind == "text":
                body.append((text, body_style))
            elif kind == "emote":
                body.append((text, self.emote_style))
            elif kind == "mention":
                if (f.user_id and f.user_id == broadcaster.id) or (f.login and f.login == broadcaster.login):
                    mention_me = m.chatter.id != broadcaster.id
                    body.append((text, self.mention_me_style))
                else:
                    known = self.mention_colors.get(f.login) if color else None
                    body.append((text, f"{BOLD};{self.rgb(known)}" if known else self.mention_style))
            else:  # cheermote
                body.append((text, f"{BOLD};{self._cheer_color(f.tier)}" if color else ""))
        source = m.source_broadcaster
        shared = source is not None and source.id != broadcaster.id
        first = self._first and m.message_id in self._first
        if first:
            self._first.discard(m.message_id)
        if self._no_first and m.message_id in self._no_first:
            self._no_first.discard(m.message_id)
            first = False
            m = m._replace(message_type="text") if m.message_type == "user_intro" else m
        plain = not (self.mark or first or m.reply or mention_me or shared or m.bits or m.reward_id or m.animation_id
                     or m.action or m.message_type != "text")
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
        if self.mark:
            runs += self.mark_runs()
        if (first or m.message_type == "user_intro") and mention_me:  # both: one banner, never split by a wrap
            runs += (self.banner("first_mention"), (" ", ""))
        elif first or m.message_type == "user_intro":
            runs += (self.banner("first"), (" ", ""))
        elif mention_me:
            runs += (self.banner("mention"), (" ", ""))
        if shared:
            assert m.source_broadcaster is not None
            runs.append((f"[{display_name(m.source_broadcaster.name, m.source_broadcaster.login)}] ", DIM if self.color else ""))
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
        parent = display_name(m.reply.parent_user.name, m.reply.parent_user.login)
        quote = cut(sanitize(m.reply.parent_body).strip(), 24)
        runs = [(" ↪ ", dim), ("@" + parent, dim)]
        if self._no_quote and m.message_id in self._no_quote:
            self._no_quote.discard(m.message_id)
            runs.append((" (held)", dim))
        elif quote:
            runs.append((f' "{quote}"', f"{DIM};3" if self.color else ""))
        return runs

    def _cheer_color(self, tier: int) -> str:
        for floor, color in CHEER_TIERS:
            if tier >= floor:
                return self.rgb(color)
        return ""
