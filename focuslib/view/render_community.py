"""Lines for bits uses, built-in rewards, shared chat, goals and the streamer's own raids (protocol notes §2.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from focuslib.text import display_name, sanitize
from focuslib.twitch.events import AutomaticReward, BitsUse, Cheer, Goal, OutgoingRaid, SharedChat, User
from focuslib.view.layout import Run
from focuslib.view.render_events import cheer
from focuslib.view.render_notices import plural, t

if TYPE_CHECKING:
    from focuslib.view.lines import Lines

POWER_UPS = {"message_effect": "a message effect", "celebration": "an on-screen celebration",
             "gigantify_an_emote": "a giant emote"}
# Built-in rewards by type (Twitch's names for them, as the viewer saw them).
REWARDS = {"send_highlighted_message": "Highlight my message",
           "single_message_bypass_sub_mode": "Send a message in sub-only mode",
           "random_sub_emote_unlock": "Unlock a random sub emote",
           "chosen_sub_emote_unlock": "Unlock a chosen sub emote",
           "chosen_modified_sub_emote_unlock": "Modify a sub emote",
           "message_effect": "Message effect", "gigantify_an_emote": "Gigantify an emote",
           "celebration": "On-screen celebration"}
# Goal type -> what its amounts count.
GOAL_UNITS = {"follow": "followers", "follower": "followers", "subscription": "sub points",
              "subscription_count": "subs", "new_subscription": "new sub points",
              "new_subscription_count": "new subs", "new_bit": "bits", "new_cheerer": "cheerers"}


def renderers() -> dict[type, Callable[[Lines, Any], str | None]]:
    return {BitsUse: bits_use, AutomaticReward: automatic_reward, SharedChat: shared_chat, Goal: goal,
            OutgoingRaid: outgoing_raid}


def bits_use(r: Lines, e: BitsUse) -> str:
    if e.kind == "cheer":  # the same line channel.cheer draws: whichever twin comes, the moment reads alike
        same = Cheer(e.user, e.broadcaster, e.anonymous, e.text, e.bits)
        if r.text_held(e):
            r.withhold(same)
        return cheer(r, same)
    who = r.name_run(e.user) if not e.anonymous else ("Someone", "")
    amount = (plural(e.bits, "bit"), f"1;{r.styles['bits']}" if r.color else "")
    if e.kind == "power_up":
        # No text: a power-up's message is a chat message of its own (`♦ message effect`, `♦ giant emote`).
        what = POWER_UPS.get(e.power_up) or f"a {sanitize(e.power_up).replace('_', ' ') or 'power-up'}"
        emote = sanitize(e.emote).strip()
        return r.event_line("bits", [who, t(" spent "), amount, t(f" on {what}" + (f": {emote}" if emote else ""))])
    parts: list[Run]
    if e.kind == "combo":
        parts = [who, t(" sent a combo of "), amount]
    else:
        parts = [who, t(f" used {plural(e.bits, 'bit')} ({sanitize(e.kind) or 'bits'})")]
    text = sanitize(e.text).strip()
    if text:
        parts.append(t(f": {text}"))
    return r.event_line("bits", parts + r.text_held(e))


def automatic_reward(r: Lines, e: AutomaticReward) -> str:
    title = REWARDS.get(e.reward_type) or sanitize(e.reward_type).replace("_", " ").capitalize() or "a reward"
    parts: list[Run] = [r.name_run(e.user), t(" redeemed "), (title, f"1;{r.styles['points']}" if r.color else ""),
                        t(f" ({e.cost:,})")]
    emote = sanitize(e.emote).strip()
    if emote:
        parts.append(t(f": {emote}"))
    text = sanitize(e.text).strip()
    if text:
        parts.append(t(f": {text}"))
    return r.event_line("points", parts + r.text_held(e))


def _channels(users: tuple[User, ...] | list[User]) -> str:
    return ", ".join(display_name(u.name, u.login) for u in users) or "no other channel"


def shared_chat(r: Lines, e: SharedChat) -> str:
    others = [u for u in e.participants if u.id != e.broadcaster.id]
    if e.phase == "end":
        return r.event_line("shared", [t("Shared chat ended")])
    host = "" if not e.host.id or e.host.id == e.broadcaster.id else \
        f" (host: {display_name(e.host.name, e.host.login)})"
    if e.phase == "begin":
        return r.event_line("shared", [t(f"Shared chat started with {_channels(others)}{host}")])
    return r.event_line("shared", [t(f"Shared chat is now with {_channels(others)}{host}")])


def goal(r: Lines, e: Goal) -> str:
    unit = GOAL_UNITS.get(e.goal_type) or sanitize(e.goal_type).replace("_", " ")
    title = sanitize(e.description).strip()
    name = (title or f"{e.target:,} {unit}", f"1;{r.styles['goal']}" if r.color else "")
    tally = f"{e.current:,}/{e.target:,} {unit}"
    if e.target > 0:
        tally += f" ({e.current * 100 // e.target}%)"
    if e.phase == "begin":
        return r.event_line("goal", [t("Goal started: "), name, t(f" — {tally}")])
    if e.phase == "progress":
        return r.event_line("goal", [t("Goal: "), name, t(f" — {tally}")])
    verb = "Goal reached: " if e.achieved else "Goal ended: "
    return r.event_line("goal", [t(verb), name, t(f" — {tally}")])


def outgoing_raid(r: Lines, e: OutgoingRaid) -> str:
    return r.event_line("raid", [t("You are raiding "), r.name_run(e.to_broadcaster),
                                 t(f" with {plural(e.viewers, 'viewer')}")])
