"""Lines for chat notices (protocol notes §3.2), moderation (§3.3) and channel events (§3.4).

One clear line per kind: a symbol and color of its own, who did it, what it
means.  Notice types focus does not know are shown with Twitch's own
`system_message`, sanitized like everything else.  Shared-chat notices (from
another channel of a shared session) say where they happened and never raise
an alert: they are not this channel's moments.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .events import (AdBreak, AnnouncementNotice, Ban, BitsBadgeNotice, CharityNotice, ChatClear, ChatNotification,
                     Cheer, ClearUserMessages, CommunityGiftNotice, Follow, Fragment, GifterNotice, HypeTrain,
                     MessageDelete, ModiversaryNotice, Poll, Prediction, PrimeUpgradeNotice, Raid, RaidNotice,
                     Redemption, ResubNotice, ShoutoutReceived, StreamOffline, StreamOnline, SubGiftNotice, SubNotice,
                     Subscribe, SubscriptionGift, SubscriptionMessage, Unban, User, WatchStreakNotice)
from .layout import Run, cut, text_width
from .text import sanitize

if TYPE_CHECKING:
    from .render import Renderer

ANON_GIFTER = "an anonymous gifter"  # capitalized where it starts a sentence


def renderers(r: Renderer) -> dict[type, Callable[[Any], str | None]]:
    """type -> line function, bound to `r`."""
    table: dict[type, Callable[[Renderer, Any], str | None]] = {
        ChatNotification: chat_notification, MessageDelete: message_deleted, ChatClear: chat_cleared,
        ClearUserMessages: user_cleared, Follow: follow, Subscribe: subscribe, SubscriptionGift: subscription_gift,
        SubscriptionMessage: subscription_message, Cheer: cheer, Raid: raid, Ban: ban, Unban: unban,
        Redemption: redemption, HypeTrain: hype_train, Poll: poll, Prediction: prediction,
        ShoutoutReceived: shoutout, StreamOnline: stream_online, StreamOffline: stream_offline, AdBreak: ad_break,
    }
    return {cls: (lambda e, f=f: f(r, e)) for cls, f in table.items()}


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
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


TIERS = {"1000": "T1", "2000": "T2", "3000": "T3"}  # Prime subs are "1000" too


def tier_label(tier: str) -> str:
    return TIERS.get(tier, "T?" if not tier else sanitize(tier)[:8])


def tier_text(tier: str, prime: bool = False) -> str:
    return "with Prime" if prime else f"at {tier_label(tier)}"


def gifter_run(r: Renderer, gifter: User | None, first: bool = False) -> Run:
    if gifter is not None:
        return r.name_run(gifter)
    return (ANON_GIFTER.capitalize() if first else ANON_GIFTER, "")


def names_line(names: Sequence[User], budget: int, count_rest: bool = False) -> str:
    """As many names as fit in `budget` columns, then "…" (or "and N more") for the rest."""
    out: list[str] = []
    used = 0
    for k, u in enumerate(names):
        name = sanitize(u.display)
        need = text_width(name) + (2 if out else 0)
        rest = len(names) - k
        tail = f" and {rest} more" if count_rest else ", …"
        if out and used + need + (len(tail) if rest > 1 else 0) > budget:
            return ", ".join(out) + tail
        out.append(name)
        used += need
    return ", ".join(out)


def body(r: Renderer, fragments: Sequence[Fragment], broadcaster: User, style: str = "") -> list[Run]:
    """A user's message (notices, resubs): emotes and mentions styled like chat."""
    runs: list[Run] = []
    for f in fragments:
        text = sanitize(f.text)
        if f.kind == "emote":
            runs.append((text, r._emote))
        elif f.kind == "mention":
            runs.append((text, r._mention_me if f.user_id == broadcaster.id else r._mention))
        elif f.kind == "cheermote":
            runs.append((text, r.styles["bits"]))
        else:
            runs.append((text, style))
    return runs


def _with_message(r: Renderer, parts: list[Run], fragments: Sequence[Fragment], broadcaster: User) -> list[Run]:
    if any(f.text.strip() for f in fragments):
        parts.append((": ", ""))
        parts.extend(body(r, fragments, broadcaster))
    return parts


# -- chat notices (§3.2) -------------------------------------------------------------

def chat_notification(r: Renderer, n: ChatNotification) -> str:
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
        amount = d.value / (10 ** d.decimal_places) if d.decimal_places >= 0 else d.value
        parts += [t(f" donated {amount:,.{max(0, min(d.decimal_places, 4))}f} {d.currency} to "),
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
    return _notice_line(r, n, kind, _with_message(r, parts, n.fragments, n.broadcaster), alert)


ANNOUNCE = {"blue": "#3A8EFF", "green": "#00B86B", "orange": "#FF8A00", "purple": "#9146FF"}


def _notice_line(r: Renderer, n: ChatNotification, kind: str, parts: list[Run], alert: str) -> str:
    if n.shared:
        source = n.source_broadcaster.display if n.source_broadcaster else "shared chat"
        parts.insert(0, (f"[{sanitize(source)}] ", "2" if r.color else ""))
        alert = ""
    return r.event_line(kind, parts, alert)


# -- gift bombs and follow floods (lines the presenter asks for) ------------------------

def gift_bomb(r: Renderer, gifter: User | None, total: int, tier: str) -> str:
    if total == 1:
        return r.event_line("gift", [gifter_run(r, gifter, True), t(f" gifted a {tier_label(tier)} sub")], "gift")
    subs = f"{total} {tier_label(tier)} subs"
    return r.event_line("gift", [gifter_run(r, gifter, True), t(f" is gifting {subs} to the community")], "gift")


def gift_recipients(r: Renderer, recipients: Sequence[User], expected: int) -> str:
    stamp = text_width(r.stamp_run()[0])
    budget = (r.width or 120) - stamp - 6
    missing = max(0, expected - len(recipients))
    tail = f" (+{missing} not shown by Twitch)" if missing else ""
    return r.event_line("gift", [t("→ " + names_line(recipients, budget - len(tail), True) + tail)])


def follow_summary(r: Renderer, names: Sequence[User], seconds: float) -> str:
    head = f"{plural(len(names), 'follow')} in {duration(seconds)}: "
    stamp = text_width(r.stamp_run()[0])
    budget = (r.width or 120) - stamp - 2 - len(head)
    return r.event_line("follow", [t(head + names_line(names, budget))])


# -- moderation (§3.3) ----------------------------------------------------------------

def message_deleted(r: Renderer, e: MessageDelete) -> str:
    return r.event_line("delete", [t("a message from "), r.name_run(e.target), t(" was deleted")])


def chat_cleared(r: Renderer, e: ChatClear) -> str:
    return r.event_line("delete", [t("chat was cleared by a moderator")])


def user_cleared(r: Renderer, e: ClearUserMessages) -> str:
    return r.event_line("delete", [r.name_run(e.target), t("'s messages were cleared (banned or timed out)")])


def deleted_chat_line(r: Renderer, head: list[Run]) -> str:
    """What a deleted chat line becomes where the terminal lets focus rewrite it."""
    return r.finish(head + [("‹message deleted›", "2;3" if r.color else "")], 0)


def ban(r: Renderer, e: Ban) -> str:
    reason = sanitize(e.reason).strip()
    tail = [t(f": {cut(reason, 80)}")] if reason else []
    if e.permanent or not e.ends_at:
        return r.event_line("ban", [r.name_run(e.user), t(" was banned by "), r.name_run(e.moderator)] + tail)
    start, end = _time(e.banned_at), _time(e.ends_at)
    length = f" for {duration((end - start).total_seconds())}" if start and end and end > start else ""
    return r.event_line("timeout", [r.name_run(e.user), t(f" was timed out{length} by "),
                                    r.name_run(e.moderator)] + tail)


def unban(r: Renderer, e: Unban) -> str:
    return r.event_line("unban", [r.name_run(e.user), t(" was unbanned by "), r.name_run(e.moderator)])


# -- channel events (§3.4) ---------------------------------------------------------------

def follow(r: Renderer, e: Follow) -> str:
    return r.event_line("follow", [r.name_run(e.user), t(" followed")])


def subscribe(r: Renderer, e: Subscribe) -> str:
    if e.is_gift:
        return r.event_line("gift", [r.name_run(e.user), t(f" received a gifted {tier_label(e.tier)} sub")])
    return r.event_line("sub", [r.name_run(e.user), t(f" subscribed {tier_text(e.tier)}")], "sub")


def subscription_gift(r: Renderer, e: SubscriptionGift) -> str:
    return gift_bomb(r, None if e.anonymous else e.gifter, e.total, e.tier)


def subscription_message(r: Renderer, e: SubscriptionMessage) -> str:
    text = f" resubscribed {tier_text(e.tier)} · {months(e.cumulative_months)}"
    if e.streak_months:
        text += f", {e.streak_months} in a row"
    parts = [r.name_run(e.user), t(text)]
    return r.event_line("sub", _with_message(r, parts, _emote_fragments(e.text, e.emotes), e.broadcaster), "sub")


def _emote_fragments(text: str, emotes: tuple[tuple[int, int], ...]) -> list[Fragment]:
    """Offsets -> fragments.  Whether `end` is inclusive is unconfirmed (§3.4): accept
    a range only where it covers a whole word either way."""
    out: list[Fragment] = []
    pos = 0
    for begin, end in sorted(emotes):
        stop = end + 1 if end + 1 <= len(text) and text[begin:end + 1].strip() == text[begin:end + 1] else end
        if begin < pos or stop <= begin or stop > len(text) or " " in text[begin:stop]:
            continue
        if begin > pos:
            out.append(Fragment("text", text[pos:begin]))
        out.append(Fragment("emote", text[begin:stop]))
        pos = stop
    if pos < len(text):
        out.append(Fragment("text", text[pos:]))
    return out


def cheer(r: Renderer, e: Cheer) -> str:
    who = r.name_run(e.user) if not e.anonymous else ("An anonymous cheerer", "")
    parts = [who, t(" cheered "), (plural(e.bits, "bit"), f"1;{r.styles['bits']}" if r.color else "")]
    message = sanitize(e.message).strip()
    if message:
        parts.append(t(f": {message}"))
    return r.event_line("bits", parts)


def raid(r: Renderer, e: Raid) -> str:
    return r.event_line("raid", [r.name_run(e.from_broadcaster),
                                 t(f" is raiding with {plural(e.viewers, 'viewer')}")], "raid")


def redemption(r: Renderer, e: Redemption) -> str:
    title = (sanitize(e.reward_title) or "a reward", f"1;{r.styles['points']}" if r.color else "")
    parts = [r.name_run(e.user), t(" redeemed "), title, t(f" ({e.reward_cost:,})")]
    text = sanitize(e.user_input).strip()
    if text:
        parts.append(t(f": {text}"))
    return r.event_line("points", parts)


def hype_train(r: Renderer, e: HypeTrain) -> str:
    name = {"golden_kappa": "Golden Kappa train", "treasure": "Treasure train"}.get(e.train_type, "Hype train")
    if e.shared:
        name = "Shared " + name.lower()
    if e.phase == "end":
        top = ", ".join(sanitize(c.user.display) for c in e.top[:3])
        text = f"{name} ended at level {e.level}" + (f" · top: {top}" if top else "")
    else:
        percent = f" · {e.progress * 100 // e.goal}% to level {e.level + 1}" if e.goal > 0 else ""
        verb = "started! Level" if e.phase == "begin" else "level"
        text = f"{name} {verb} {e.level}{percent}"
        if e.phase == "begin" and e.all_time_high_level:
            text += f" (record: level {e.all_time_high_level})"
    return r.event_line("hype", [t(text)])


def poll(r: Renderer, e: Poll) -> str:
    title = (sanitize(e.title), f"1;{r.styles['poll']}" if r.color else "")
    if e.phase == "begin":
        options = " / ".join(sanitize(c.title) for c in e.choices)
        start, end = _time(e.started_at), _time(e.ends_at)
        length = f" ({duration((end - start).total_seconds())})" if start and end and end > start else ""
        return r.event_line("poll", [t("Poll: "), title, t(f" — {options}{length}")])
    total = sum(c.votes for c in e.choices) or 1
    tally = " · ".join(f"{sanitize(c.title)} {round(c.votes * 100 / total)}%" for c in e.choices)
    if e.phase == "progress":
        return r.event_line("poll", [t("Poll: "), title, t(f" — {tally}")])
    if e.status == "terminated" or e.status == "archived" and not any(c.votes for c in e.choices):
        return r.event_line("poll", [t("Poll ended early: "), title])
    best = max(e.choices, key=lambda c: c.votes, default=None)
    won = f" — {sanitize(best.title)} wins with {plural(best.votes, 'vote')}" if best and best.votes else ""
    return r.event_line("poll", [t("Poll ended: "), title, t(f"{won} ({tally})")])


def prediction(r: Renderer, e: Prediction) -> str:
    title = (sanitize(e.title), f"1;{r.styles['prediction']}" if r.color else "")
    if e.phase == "begin":
        return r.event_line("prediction", [t("Prediction: "), title,
                                           t(" — " + " / ".join(sanitize(o.title) for o in e.outcomes))])
    tally = " · ".join(f"{sanitize(o.title)} {o.points:,} pts ({o.users:,})" for o in e.outcomes)
    if e.phase == "progress":
        return r.event_line("prediction", [t("Prediction: "), title, t(f" — {tally}")])
    if e.phase == "lock":
        return r.event_line("prediction", [t("Prediction locked: "), title, t(f" — {tally}")])
    if e.status == "canceled" or not e.winning_outcome_id:
        return r.event_line("prediction", [t("Prediction canceled, points refunded: "), title])
    win = next((o for o in e.outcomes if o.id == e.winning_outcome_id), None)
    outcome = f" — {sanitize(win.title)} wins ({plural(win.users, 'winner')}, {win.points:,} pts)" if win else ""
    return r.event_line("prediction", [t("Prediction resolved: "), title, t(outcome)])


def shoutout(r: Renderer, e: ShoutoutReceived) -> str:
    return r.event_line("shoutout", [r.name_run(e.from_broadcaster),
                                     t(f" shouted you out to {plural(e.viewer_count, 'viewer')}")])


def stream_online(r: Renderer, e: StreamOnline) -> str:
    kind = "" if e.stream_type == "live" else f" ({sanitize(e.stream_type)})"
    return r.event_line("online", [t(f"Stream is live{kind}")])


def stream_offline(r: Renderer, e: StreamOffline) -> str:
    return r.event_line("offline", [t("Stream is offline")])


def ad_break(r: Renderer, e: AdBreak) -> str:
    how = [t(" (automatic)")] if e.automatic else [t(" started by "), r.name_run(e.requester)]
    return r.event_line("ad", [t(f"Ad break: {duration(e.duration_seconds)}")] + how)
