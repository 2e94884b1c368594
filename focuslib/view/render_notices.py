"""Lines for chat notices (protocol notes §3.2), gift bombs and follow floods, and the small
pieces every event line is made of.

One clear line per notice kind: a symbol and color of its own, who did it,
what it means.  Notice types focus does not know are shown with Twitch's own
`system_message`, sanitized like everything else.  Shared-chat notices (from
another channel of a shared session) say where they happened and never raise
an alert: they are not this channel's moments.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Sequence

from focuslib.twitch.events import (AnnouncementNotice, BitsBadgeNotice, CharityNotice, ChatNotification, CommunityGiftNotice,
                     Fragment, GifterNotice, ModiversaryNotice, PrimeUpgradeNotice, RaidNotice, ResubNotice,
                     SubGiftNotice, SubNotice, User, WatchStreakNotice)
from focuslib.view.layout import Run, text_width
from focuslib.text import display_name, rfc3339, sanitize

if TYPE_CHECKING:
    from focuslib.view.lines import Lines

ANON_GIFTER = "an anonymous gifter"  # capitalized where it starts a sentence

# -- small pieces ------------------------------------------------------------------

def t(text: str) -> Run:
    return (sanitize(text), "")


def months(n: int) -> str:
    return f"{n} month" if n == 1 else f"{n} months"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {sec} s" if sec else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{hours // 24} days"


def _time(value: str) -> dt.datetime | None:
    """An RFC 3339 time; one without a time zone (seen from local servers) is read as UTC."""
    return rfc3339(value)


TIERS = {"1000": "T1", "2000": "T2", "3000": "T3"}  # Prime subs are "1000" too


def tier_label(tier: str) -> str:
    return TIERS.get(tier, "T?" if not tier else sanitize(tier)[:8])


def tier_text(tier: str, prime: bool = False) -> str:
    return "with Prime" if prime else f"at {tier_label(tier)}"


def gifter_run(r: Lines, gifter: User | None, first: bool = False) -> Run:
    if gifter is not None:
        return r.name_run(gifter)
    return (ANON_GIFTER.capitalize() if first else ANON_GIFTER, "")


def names_line(names: Sequence[User], budget: int, count_rest: bool = False) -> str:
    """As many names as fit in `budget` columns, then "…" (or "and N more") for the rest."""
    out: list[str] = []
    used = 0
    for k, u in enumerate(names):
        name = display_name(u.name, u.login)
        need = text_width(name) + (2 if out else 0)
        rest = len(names) - k
        tail = f" and {rest} more" if count_rest else ", …"
        if out and used + need + (len(tail) if rest > 1 else 0) > budget:
            return ", ".join(out) + tail
        out.append(name)
        used += need
    return ", ".join(out)


def body(r: Lines, fragments: Sequence[Fragment], broadcaster: User, style: str = "") -> list[Run]:
    """A user's message (notices, resubs): emotes and mentions styled like chat."""
    runs: list[Run] = []
    for f in fragments:
        text = sanitize(f.text)
        if f.kind == "emote":
            runs.append((text, r.emote_style))
        elif f.kind == "mention":
            runs.append((text, r.mention_me_style if f.user_id == broadcaster.id else r.mention_style))
        elif f.kind == "cheermote":
            runs.append((text, r.styles["bits"]))
        else:
            runs.append((text, style))
    return runs


def _with_message(r: Lines, parts: list[Run], fragments: Sequence[Fragment], broadcaster: User) -> list[Run]:
    if any(f.text.strip() for f in fragments):
        parts.append((": ", ""))
        parts.extend(body(r, fragments, broadcaster))
    return parts


# -- chat notices (§3.2) -------------------------------------------------------------

def chat_notification(r: Lines, n: ChatNotification) -> str:
    d = n.detail
    who = r.name_run(n.chatter, n.color) if not n.anonymous else ("An anonymous user", "")
    kind, parts, alert = "info", [who], ""
    if isinstance(d, SubNotice):
        kind, alert = "sub", "sub"
        parts.append(t(f" subscribed {tier_text(d.tier, d.is_prime)}"
                       + (f" for {months(d.duration_months)}" if d.duration_months > 1 else "")))
    elif isinstance(d, ResubNotice):
        kind, alert = "sub", "sub"
        text = f" resubscribed {tier_text(d.tier, d.is_prime)} · {months(d.cumulative_months)}"
        if d.streak_months:
            text += f", {d.streak_months} in a row"
        parts.append(t(text))
        if d.is_gift:
            parts += [t(" (gift from "), gifter_run(r, d.gifter), t(")")]
    elif isinstance(d, SubGiftNotice):
        kind, alert = "gift", "gift"
        parts = [gifter_run(r, None if n.anonymous else n.chatter, True),
                 t(f" gifted a {tier_label(d.tier)} sub to "), r.name_run(d.recipient)]
    elif isinstance(d, CommunityGiftNotice):
        kind, alert = "gift", "gift"
        parts = [gifter_run(r, None if n.anonymous else n.chatter, True), t(f" is gifting {d.total} "
                 f"{tier_label(d.tier)} sub{'s' if d.total != 1 else ''} to the community")]
        if d.cumulative_total:
            parts.append(t(f" ({d.cumulative_total:,} gifted in total)"))
    elif isinstance(d, GifterNotice) and n.kind == "pay_it_forward":
        kind = "gift"
        parts += [t(" is paying forward the gift from "), gifter_run(r, d.gifter)]
    elif isinstance(d, GifterNotice):
        kind = "sub"
        parts += [t(" is continuing the gift sub from "), gifter_run(r, d.gifter)]
    elif isinstance(d, PrimeUpgradeNotice):
        kind = "sub"
        parts.append(t(f" upgraded from Prime to a {tier_label(d.tier)} sub"))
    elif isinstance(d, RaidNotice):
        kind, alert = "raid", "raid"
        parts = [r.name_run(d.raider, n.color), t(f" is raiding with {plural(d.viewers, 'viewer')}")]
    elif n.kind == "unraid":
        kind = "raid"
        parts = [t(n.system_message or "The raid was cancelled")]
    elif isinstance(d, AnnouncementNotice):
        kind = "announce"
        color = ANNOUNCE.get(d.color)
        style = r.rgb(color) if color else r.styles["announce"]
        parts = [("announcement ", f"1;{style}" if r.color else ""), who, t(": ")]
        parts += body(r, n.fragments, n.broadcaster, style)
        return _notice_line(r, n, kind, parts, "")
    elif isinstance(d, BitsBadgeNotice):
        kind = "bits"
        parts.append(t(f" unlocked the {d.tier:,} bits badge"))
    elif isinstance(d, CharityNotice):
        kind = "charity"
        places = max(0, min(d.decimal_places, 8))  # ISO 4217 uses 0-4; never let a payload pick 10**huge
        amount = d.value / (10 ** places)
        parts += [t(f" donated {amount:,.{min(places, 4)}f} {d.currency} to "),
                  (sanitize(d.charity) or "charity", r.styles["charity"])]
    elif isinstance(d, WatchStreakNotice):
        kind = "streak"
        parts.append(t(f" watched {d.streak} streams in a row"
                       + (f" (+{d.points:,} points)" if d.points else "")))
    elif isinstance(d, ModiversaryNotice):
        parts.append(t(f" has been a moderator for {months(d.months)}"))
    else:
        # A notice type focus does not know: Twitch's own words (§3.2: never drop it).
        if n.system_message:
            parts = [t(n.system_message)]
        else:
            parts.append(t(": " + (n.notice_type or "a chat notice").replace("_", " ")))
    return _notice_line(r, n, kind, _with_message(r, parts, n.fragments, n.broadcaster) + r.text_held(n), alert)


ANNOUNCE = {"blue": "#3A8EFF", "green": "#00B86B", "orange": "#FF8A00", "purple": "#9146FF"}


def _notice_line(r: Lines, n: ChatNotification, kind: str, parts: list[Run], alert: str) -> str:
    if n.shared:
        source = (display_name(n.source_broadcaster.name, n.source_broadcaster.login)
                  if n.source_broadcaster else "shared chat")
        parts.insert(0, (f"[{sanitize(source)}] ", "2" if r.color else ""))
        alert = ""
    return r.event_line(kind, parts, alert)


# -- gift bombs and follow floods (lines the presenter asks for) ------------------------

def gift_bomb(r: Lines, gifter: User | None, total: int, tier: str, cumulative: int | None = None) -> str:
    said = f" ({cumulative:,} gifted in total)" if cumulative else ""
    if total == 1:
        return r.event_line("gift", [gifter_run(r, gifter, True), t(f" gifted a {tier_label(tier)} sub{said}")],
                            "gift")
    subs = f"{total} {tier_label(tier)} subs"
    return r.event_line("gift", [gifter_run(r, gifter, True), t(f" is gifting {subs} to the community{said}")],
                        "gift")


def gift_recipients(r: Lines, recipients: Sequence[User], expected: int, cumulative: int | None = None) -> str:
    """The bomb's recipients; `cumulative`: the gifter's total, when the bomb's first line could not say it."""
    stamp = text_width(r.stamp_run()[0])
    budget = (r.width or 120) - stamp - 6
    missing = max(0, expected - len(recipients))
    tail = f" (+{missing} not shown by Twitch)" if missing else ""
    if cumulative:
        tail += f" ({cumulative:,} gifted in total)"
    return r.event_line("gift", [t("→ " + names_line(recipients, budget - len(tail), True) + tail)])


def first_summary(r: Lines, names: Sequence[User], seconds: float) -> str:
    """A wave of first-time chatters (a raid of new accounts): one line per window, never a wall of banners."""
    head = f"{len(names):,} first-time chatter{'' if len(names) == 1 else 's'} in {duration(seconds)}: "
    stamp = text_width(r.stamp_run()[0])
    budget = (r.width or 120) - stamp - 2 - len(head)
    return r.event_line("info", [t(head + names_line(names, budget))])


def follow_summary(r: Lines, names: Sequence[User], seconds: float) -> str:
    head = f"{plural(len(names), 'follow')} in {duration(seconds)}: "
    stamp = text_width(r.stamp_run()[0])
    budget = (r.width or 120) - stamp - 2 - len(head)
    return r.event_line("follow", [t(head + names_line(names, budget))])


