"""Lines for moderation (protocol notes §3.3) and channel events (§3.4); notices are in `render_notices`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from focuslib.twitch.events import (AdBreak, ChannelBan, ChannelRaid, ChannelUnban, ChatClear, ChatNotification, Cheer,
                     ClearUserMessages, Follow, Fragment, HypeTrain, MessageDelete, Poll, Prediction, Redemption,
                     ShoutoutReceived, StreamOffline, StreamOnline, Subscribe, SubscriptionGift, SubscriptionMessage)
from focuslib.view.layout import Run, cut
from focuslib.view.render_moderation import renderers as moderation_renderers
from focuslib.view.render_notices import (_time, _with_message, chat_notification, duration, gift_bomb, months, plural, t,
                             tier_label, tier_text)
from focuslib.text import display_name, sanitize

if TYPE_CHECKING:
    from focuslib.view.lines import Lines


def renderers(r: Lines) -> dict[type, Callable[[Any], str | None]]:
    """type -> line function, bound to `r`."""
    table: dict[type, Callable[[Lines, Any], str | None]] = {
        ChatNotification: chat_notification, MessageDelete: message_deleted, ChatClear: chat_cleared,
        ClearUserMessages: user_cleared, Follow: follow, Subscribe: subscribe, SubscriptionGift: subscription_gift,
        SubscriptionMessage: subscription_message, Cheer: cheer, ChannelRaid: raid, ChannelBan: ban,
        ChannelUnban: unban,
        Redemption: redemption, HypeTrain: hype_train, Poll: poll, Prediction: prediction,
        ShoutoutReceived: shoutout, StreamOnline: stream_online, StreamOffline: stream_offline, AdBreak: ad_break,
        **moderation_renderers(),
    }
    return {cls: (lambda e, f=f: f(r, e)) for cls, f in table.items()}


# -- moderation (§3.3) ----------------------------------------------------------------

def message_deleted(r: Lines, e: MessageDelete) -> str:
    return r.event_line("delete", [t("a message from "), r.name_run(e.target), t(" was deleted")])


def chat_cleared(r: Lines, e: ChatClear) -> str:
    return r.event_line("delete", [t("chat was cleared by a moderator")])


def user_cleared(r: Lines, e: ClearUserMessages) -> str:
    return r.event_line("delete", [r.name_run(e.target), t("'s messages were cleared (banned or timed out)")])


def deleted_chat_line(r: Lines, head: list[Run]) -> str:
    """What a deleted chat line becomes where the terminal lets focus rewrite it."""
    return r.finish(head + [("‹message deleted›", "2;3" if r.color else "")], 0)


def ban(r: Lines, e: ChannelBan) -> str:
    reason = sanitize(e.reason).strip()
    tail = [t(f": {cut(reason, 80)}")] if reason else []
    if e.permanent or not e.ends_at:
        return r.event_line("ban", [r.name_run(e.user), t(" was banned by "), r.name_run(e.moderator)] + tail)
    start, end = _time(e.banned_at), _time(e.ends_at)
    length = f" for {duration((end - start).total_seconds())}" if start and end and end > start else ""
    return r.event_line("timeout", [r.name_run(e.user), t(f" was timed out{length} by "),
                                    r.name_run(e.moderator)] + tail)


def unban(r: Lines, e: ChannelUnban) -> str:
    return r.event_line("unban", [r.name_run(e.user), t(" was unbanned by "), r.name_run(e.moderator)])


def timeout_ended(r: Lines, e: ChannelUnban) -> str:
    return r.event_line("unban", [r.name_run(e.user), t("'s timeout was ended by "), r.name_run(e.moderator)])


# -- channel events (§3.4) ---------------------------------------------------------------

def follow(r: Lines, e: Follow) -> str:
    return r.event_line("follow", [r.name_run(e.user), t(" followed")])


def subscribe(r: Lines, e: Subscribe) -> str:
    if e.is_gift:
        return r.event_line("gift", [r.name_run(e.user), t(f" received a gifted {tier_label(e.tier)} sub")])
    return r.event_line("sub", [r.name_run(e.user), t(f" subscribed {tier_text(e.tier)}")], "sub")


def subscription_gift(r: Lines, e: SubscriptionGift) -> str:
    return gift_bomb(r, None if e.anonymous else e.gifter, e.total, e.tier, e.cumulative_total)


def subscription_message(r: Lines, e: SubscriptionMessage) -> str:
    text = f" resubscribed {tier_text(e.tier)} · {months(e.cumulative_months)}"
    if e.streak_months:
        text += f", {e.streak_months} in a row"
    parts = [r.name_run(e.user), t(text)]
    parts = _with_message(r, parts, _emote_fragments(e.text, e.emotes), e.broadcaster) + r.text_held(e)
    return r.event_line("sub", parts, "sub")


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


def cheer(r: Lines, e: Cheer) -> str:
    who = r.name_run(e.user) if not e.anonymous else ("An anonymous cheerer", "")
    parts = [who, t(" cheered "), (plural(e.bits, "bit"), f"1;{r.styles['bits']}" if r.color else "")]
    message = sanitize(e.message).strip()
    if message:
        parts.append(t(f": {message}"))
    return r.event_line("bits", parts + r.text_held(e))


def raid(r: Lines, e: ChannelRaid) -> str:
    return r.event_line("raid", [r.name_run(e.from_broadcaster),
                                 t(f" is raiding with {plural(e.viewers, 'viewer')}")], "raid")


def redemption(r: Lines, e: Redemption) -> str:
    title = (sanitize(e.reward_title) or "a reward", f"1;{r.styles['points']}" if r.color else "")
    parts = [r.name_run(e.user), t(" redeemed "), title, t(f" ({e.reward_cost:,})")]
    text = sanitize(e.user_input).strip()
    if text:
        parts.append(t(f": {text}"))
    return r.event_line("points", parts + r.text_held(e))


def hype_train(r: Lines, e: HypeTrain) -> str:
    name = {"golden_kappa": "Golden Kappa train", "treasure": "Treasure train"}.get(e.train_type, "Hype train")
    if e.shared:
        name = "Shared " + name.lower()
    if e.phase == "end":
        top = ", ".join(display_name(c.user.name, c.user.login) for c in e.top[:3])
        text = f"{name} ended at level {e.level}" + (f" · top: {top}" if top else "")
    else:
        percent = f" · {e.progress * 100 // e.goal}% to level {e.level + 1}" if e.goal > 0 else ""
        verb = "started! Level" if e.phase == "begin" else "level"
        text = f"{name} {verb} {e.level}{percent}"
        if e.phase == "begin" and e.all_time_high_level:
            text += f" (record: level {e.all_time_high_level})"
    return r.event_line("hype", [t(text)])


def poll(r: Lines, e: Poll) -> str:
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


def prediction(r: Lines, e: Prediction) -> str:
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


def shoutout(r: Lines, e: ShoutoutReceived) -> str:
    return r.event_line("shoutout", [r.name_run(e.from_broadcaster),
                                     t(f" shouted you out to {plural(e.viewer_count, 'viewer')}")])


def stream_online(r: Lines, e: StreamOnline) -> str:
    kind = "" if e.stream_type == "live" else f" ({sanitize(e.stream_type)})"
    return r.event_line("online", [t(f"Stream is live{kind}")])


def stream_offline(r: Lines, e: StreamOffline) -> str:
    return r.event_line("offline", [t("Stream is offline")])


def ad_break(r: Lines, e: AdBreak) -> str:
    how = [t(" (automatic)")] if e.automatic else [t(" started by "), r.name_run(e.requester)]
    return r.event_line("ad", [t(f"Ad break: {duration(e.duration_seconds)}")] + how)
