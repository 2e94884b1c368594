"""History records -> terminal lines (pure).  Everything read from the database is sanitized
exactly like text from Twitch: a message stored months ago is still chat text from a stranger."""

from __future__ import annotations

import time

from focuslib.store.queries import Link, Question, Recap, UserHistory
from focuslib.text import sanitize

SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60  # marks at most: a longer recap puts several minutes in each


def when(ts: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return time.strftime(fmt, time.localtime(ts))


OFF_STREAM = ("  (the text of a message marked [deleted], [cleared] or [held] stays off stream; `python focus.py "
              "history` in a private shell shows it)")


def history_lines(h: UserHistory, *, on_stream: bool = True) -> list[str]:
    """`on_stream` (focus's /history, the default): the text of a held message is not shown (the hold queue keeps
    it off stream), nor that of one a moderator deleted or cleared (it was removed from chat for a reason: a slur,
    a spoiler, a doxx): its marks stand for it, and one line after them says why, once; only the shell command
    (`focus.py history`, off stream) passes False.  Messages and moderation come in time order (a message before
    what a moderator did at the same moment: the moderation acted on it)."""
    name = sanitize(h.name)
    login = sanitize(h.login)
    who = name if name.lower() == login else f"{name} ({login})"
    first = f"first seen {when(h.first_seen)}" if h.first_seen is not None else "no messages"
    out = [f"{who}: {h.count:,} message{'' if h.count == 1 else 's'}, {first}"]
    rows: list[tuple[float, int, str]] = []
    for m in h.moderation:
        detail = sanitize(m.detail)
        if m.type == "timeout":  # "reason<TAB>ends_at" (RFC 3339, UTC)
            reason, _, until = m.detail.partition("\t")
            detail = sanitize(reason) + (f" (until {sanitize(until[11:16])} UTC)" if len(until) >= 16 else "")
        if m.type == "delete":
            detail = ""
        by = f" by {sanitize(m.moderator)}" if m.moderator else ""
        label = {"clear_user": "messages cleared", "delete": "message deleted"}.get(m.type, m.type)
        if m.type == "release":  # the streamer's /release: the events row names nobody as its actor
            label, detail = f"released from the hold queue ({m.amount} message{'' if m.amount == 1 else 's'})", ""
        rows.append((m.ts, 1, f"  ! {when(m.ts)} {label}{by}{': ' + detail if detail else ''}"))
    hidden = False
    for s in h.messages:
        flags = "".join(f"[{f}] " for f, on in (("deleted", s.deleted), ("cleared", s.cleared and not s.deleted),
                                                 ("held", s.held)) if on)
        off = bool(flags) and on_stream
        hidden = hidden or off
        rows.append((s.ts, 0, f"  {when(s.ts)}  {flags.rstrip() if off else flags + sanitize(s.text)}"))
    out += [line for _, _, line in sorted(rows, key=lambda row: row[:2])]
    return out + [OFF_STREAM] if hidden else out


ON_STREAM_LINES = 20  # /questions and /links in focus list at most this many: chatters decide how many there are


def question_lines(qs: list[Question], *, on_stream: bool = True) -> list[str]:
    """`on_stream` (focus, the default): the oldest ON_STREAM_LINES only (their numbers are what /done takes)."""
    if not qs:
        return ["no open questions"]
    out = [f"{len(qs)} open question{'' if len(qs) == 1 else 's'} (done N marks one answered):"]
    shown = qs[:ON_STREAM_LINES] if on_stream else qs
    out += [f"  {n}. [{when(q.ts, '%H:%M')}] {sanitize(q.name)}: {sanitize(q.text)}" for n, q in enumerate(shown, 1)]
    if len(shown) < len(qs):
        out.append(f"  ... and {len(qs) - len(shown):,} more: python focus.py questions (in a shell)")
    return out


def link_lines(links: list[Link], *, on_stream: bool = True) -> list[str]:
    """`on_stream` (focus, the default): the newest ON_STREAM_LINES only -- one chatter pasting hundreds of
    URLs must not scroll the stream away (nor keep the main thread printing)."""
    if not links:
        return ["no links"]
    shown = links[-ON_STREAM_LINES:] if on_stream else links
    older = len(links) - len(shown)
    out = [f"  ... {older:,} older: python focus.py links (in a shell)"] if older else []
    return out + [f"  [{when(k.ts)}] {sanitize(k.name)}  {sanitize(k.url)}" for k in shown]


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def sparkline(counts: list[int], width: int = SPARK_WIDTH) -> tuple[str, int]:
    """(marks, minutes per mark): counts squeezed into at most `width` marks, scaled to the busiest."""
    per = max(1, -(-len(counts) // width))
    buckets = [sum(counts[i:i + per]) for i in range(0, len(counts), per)]
    top = max(buckets, default=0)
    if not top:
        return SPARKS[0] * len(buckets), per
    last = len(SPARKS) - 1
    return "".join(SPARKS[(n * last + top - 1) // top] if n else " " for n in buckets), per


def recap_lines(r: Recap) -> list[str]:
    span = f"{when(r.since, '%Y-%m-%d %H:%M')}-{when(r.until, '%H:%M')}"
    if not (r.messages or r.follows or r.subs or r.gifts or r.bits or r.raids or r.released):
        return [f"recap {span} ({duration(r.until - r.since)}): no chat and no channel events"]  # not a block of 0s
    top = ", ".join(f"{sanitize(name)} {n:,}" for name, n in r.top) or "-"  # messages shown on stream only
    marks, per = sparkline(r.per_minute)
    unit = "per minute" if per == 1 else f"per {per} min"
    raids = f"{r.raids:,}" + (f" ({r.raid_viewers:,} viewers)" if r.raids else "")
    # Held messages count among the messages (they were written); a line of their own says how many
    # the hold queue kept off stream, so the two figures never read as a contradiction.
    held = [f"  held          {r.held:,} from {r.held_chatters:,} chatter{'' if r.held_chatters == 1 else 's'}, "
            "kept off stream and never released"] if r.held else []
    if r.released:  # held, then let through: among the messages, not among `held`
        held.append(f"  released      {r.released:,} from {r.released_chatters:,} "
                    f"chatter{'' if r.released_chatters == 1 else 's'} by /release")
    cheered = r.bits - r.power_up_bits
    bits = f"{r.bits:,}" + ("" if not r.power_up_bits else " on power-ups and combos" if not cheered else
                            f" ({cheered:,} cheered, {r.power_up_bits:,} on power-ups and combos)")
    return [
        f"recap {span} ({duration(r.until - r.since)})",
        f"  messages      {r.messages:,} from {r.chatters:,} chatter{'' if r.chatters == 1 else 's'} "
        f"({r.new_chatters:,} new)",
        *held,
        f"  follows       {r.follows:,}",
        f"  subs          {r.subs:,}, gifted {r.gifts:,}",
        f"  bits          {bits}",
        f"  raids         {raids}",
        f"  top chatters  {top}",
        f"  {unit:<13} {marks} (busiest {max(r.per_minute, default=0):,}/min)" if per == 1 else
        f"  {unit:<13} {marks}",
    ]
