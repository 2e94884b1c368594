"""Lines for AutoMod and the other moderation moments (protocol notes §2.6).

A message AutoMod held never reaches the stream: its line names the chatter
and focus's number for it, never the text (the raw frame, with the text, is
in the devlog).  The same goes for the streamer's own held message, an unban
request's plea and a restricted user's message: each is a neutral line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from focuslib.text import sanitize
from focuslib.twitch.automod import OUTCOMES
from focuslib.twitch.events_moderation import (AutoModHold, AutoModUpdate, ChatSettings, ShieldMode, ShoutoutGiven,
                                               SuspiciousMessage, UnbanRequest, UserMessageHold, UserMessageUpdate,
                                               VipChange, WarningAcknowledged, WarningSent)
from focuslib.view.layout import cut
from focuslib.view.render_notices import _time, duration, plural, t

if TYPE_CHECKING:
    from focuslib.view.lines import Lines



def renderers() -> dict[type, Callable[[Lines, Any], str | None]]:
    return {AutoModHold: automod_held, AutoModUpdate: automod_update, UserMessageHold: own_message_held,
            UserMessageUpdate: own_message_update, WarningSent: warning_sent, WarningAcknowledged: warning_ack,
            ChatSettings: chat_settings, SuspiciousMessage: suspicious, ShieldMode: shield_mode,
            UnbanRequest: unban_request, VipChange: vip, ShoutoutGiven: shoutout_given}


def automod_held(r: Lines, e: AutoModHold) -> str:
    n = r.held.hold(e.message_id, e.user.id, e.user.login, e.user.name)
    return r.event_line("automod", [t("held by AutoMod: "), r.name_run(e.user), t(f" (#{n}): /allow {n} or /deny {n}")])


def _outcome(status: str, moderator: Any) -> list[Any]:
    word = OUTCOMES.get(status, sanitize(status) or "handled")
    return [t(word)] if moderator is None or status == "expired" else [t(f"{word} by "), moderator]


def automod_update(r: Lines, e: AutoModUpdate) -> str:
    held = r.held.resolve(e.message_id, e.status)
    by = None if e.moderator is None else r.name_run(e.moderator)
    if held is None:  # held before focus started
        verb = [] if e.status == "expired" else [t("was ")]
        return r.event_line("automod", [t("AutoMod: "), r.name_run(e.user), t("'s held message "), *verb]
                            + _outcome(e.status, by))
    return r.event_line("automod", [t(f"AutoMod #{held.number} ("), r.name_run(e.user), t("): ")]
                        + _outcome(e.status, by))


def automod_resolved_in_place(r: Lines, e: AutoModUpdate, number: int) -> str:
    """The held line once Twitch says what became of it (rewritten where the terminal allows)."""
    by = None if e.moderator is None else r.name_run(e.moderator)
    return r.event_line("automod", [t("held by AutoMod: "), r.name_run(e.user), t(f" (#{number}): ")]
                        + _outcome(e.status, by))


def own_message_held(r: Lines, e: UserMessageHold) -> str:
    return r.event_line("automod", [t("AutoMod held your message; Twitch shows it if a moderator allows it")])


def own_message_update(r: Lines, e: UserMessageUpdate) -> str:
    if e.status == "invalid":
        return r.event_line("automod", [t("your held message is no longer valid")])
    return r.event_line("automod", [t(f"your held message was {OUTCOMES.get(e.status, sanitize(e.status))}")])


def warning_sent(r: Lines, e: WarningSent) -> str:
    parts = [r.name_run(e.user), t(" was warned by "), r.name_run(e.moderator)]
    reason = sanitize(e.reason).strip()
    if reason:
        parts.append(t(f": {cut(reason, 80)}"))
    if e.rules:
        parts.append(t(f" (rules: {cut(', '.join(sanitize(x) for x in e.rules), 60)})"))
    return r.event_line("warning", parts)


def warning_ack(r: Lines, e: WarningAcknowledged) -> str:
    return r.event_line("warning", [r.name_run(e.user), t(" acknowledged the warning")])


def chat_settings(r: Lines, e: ChatSettings) -> str:
    modes = []
    if e.slow:
        modes.append(f"slow {duration(e.slow_seconds or 0)}")
    if e.followers_only:
        modes.append("followers-only" + (f" ({duration((e.follower_minutes or 0) * 60)})"
                                         if e.follower_minutes else ""))
    if e.subscribers_only:
        modes.append("subscribers-only")
    if e.emote_only:
        modes.append("emote-only")
    if e.unique:
        modes.append("unique messages")
    return r.event_line("settings", [t("chat modes: " + (" · ".join(modes) if modes else "all off"))])


def suspicious(r: Lines, e: SuspiciousMessage) -> str:
    # A monitored user's message also arrives as ordinary chat: this line only
    # marks it.  A restricted user's message is hidden from chat, so it stays
    # off stream too (devlog only).
    notes = []
    if e.low_trust_status == "restricted":
        notes.append("restricted, message hidden from chat")
    elif e.low_trust_status == "active_monitoring":
        notes.append("monitored")
    if e.ban_evasion in ("possible", "likely"):
        notes.append(f"{e.ban_evasion} ban evader")
    if e.shared_bans:
        notes.append(f"banned in {plural(e.shared_bans, 'other channel')}")
    tail = f" ({', '.join(notes)})" if notes else ""
    return r.event_line("suspicious", [t("suspicious user "), r.name_run(e.user), t(f" sent a message{tail}")])


def shield_mode(r: Lines, e: ShieldMode) -> str:
    return r.event_line("shield", [t(f"Shield mode {'on' if e.active else 'off'} ("), r.name_run(e.moderator),
                                   t(")")])


def unban_request(r: Lines, e: UnbanRequest) -> str:
    if e.phase == "create":
        return r.event_line("request", [r.name_run(e.user), t(" asks to be unbanned (the request is in the devlog)")])
    if e.status == "canceled" or e.moderator is None:
        return r.event_line("request", [r.name_run(e.user), t(f"'s unban request was {sanitize(e.status)}")])
    return r.event_line("request", [r.name_run(e.user), t(f"'s unban request was {sanitize(e.status)} by "),
                                    r.name_run(e.moderator)])


def vip(r: Lines, e: VipChange) -> str:
    return r.event_line("vip", [r.name_run(e.user), t(" is now a VIP" if e.added else " is no longer a VIP")])


def shoutout_given(r: Lines, e: ShoutoutGiven) -> str:
    start = _time(e.started_at)
    parts = [t("shoutout to "), r.name_run(e.to_broadcaster), t(f" ({plural(e.viewer_count, 'viewer')})")]
    waits = []
    for label, value in (("next shoutout", e.cooldown_ends_at), ("same channel", e.target_cooldown_ends_at)):
        end = _time(value)
        if start and end and end > start:
            waits.append(f"{label} in {duration((end - start).total_seconds())}")
    if waits:
        parts.append(t(" · " + ", ".join(waits)))
    return r.event_line("shoutout", parts)
