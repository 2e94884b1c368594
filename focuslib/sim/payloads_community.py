"""Bits uses, built-in rewards, shared chat, goals and raids out, shaped like Twitch's EventSub reference (§2.6)."""

from __future__ import annotations

from typing import Any

from .payloads import BROADCASTER, broadcaster, fragments, new_id, now_rfc3339, user
from .payloads_channel import _at

Who = tuple[str, str, str]
POWER_UPS = ("message_effect", "celebration", "gigantify_an_emote")


def _message(text: str) -> dict[str, Any] | None:
    """`message {text, fragments}` (cheermotes and emotes as in chat), None when there is no text."""
    return {"text": text, "fragments": fragments(text)} if text else None


def bits_use(who: Who | None, bits: int, kind: str = "cheer", text: str = "", power_up: str = "",
             emote: str = "") -> dict[str, Any]:
    """`channel.bits.use` v1: `kind` cheer | power_up | combo; an anonymous cheer has no user."""
    up = None
    if kind == "power_up":
        up = {"type": power_up or POWER_UPS[0], "emote": {"id": "emotesv2_1", "name": emote} if emote else None,
              "message_effect_id": "cosmic-abyss" if power_up == "message_effect" else None}
    return {**user("user", who), **broadcaster(), "bits": bits, "type": kind, "message": _message(text),
            "power_up": up}


def automatic_reward(who: Who, reward_type: str, cost: int, text: str = "", emote: str = "") -> dict[str, Any]:
    """`channel.channel_points_automatic_reward_redemption.add` v2."""
    message = {"text": text, "fragments": [{"type": "text", "text": text, "emote": None}]} if text else \
        {"text": "", "fragments": []}
    return {**broadcaster(), **user("user", who), "id": new_id(),
            "reward": {"type": reward_type, "channel_points": cost,
                       "emote": {"id": "emotesv2_2", "name": emote} if emote else None},
            "message": message, "redeemed_at": now_rfc3339()}


def shared_chat(phase: str, host: Who, others: list[Who], session_id: str = "shared-1") -> dict[str, Any]:
    """`channel.shared_chat.<phase>` v1; begin/update list every participant, this channel included."""
    event: dict[str, Any] = {"session_id": session_id, **broadcaster(), **user("host_broadcaster_user", host)}
    if phase != "end":
        event["participants"] = [user("broadcaster_user", who) for who in [BROADCASTER, *others]]
    return event


def goal(phase: str, kind: str, description: str, current: int, target: int, achieved: bool = False,
         goal_id: str = "goal-1") -> dict[str, Any]:
    """`channel.goal.<phase>` v1; end adds is_achieved and ended_at."""
    event: dict[str, Any] = {"id": goal_id, **broadcaster(), "type": kind, "description": description,
                             "current_amount": current, "target_amount": target, "started_at": _at(-600)}
    if phase == "end":
        event.update(is_achieved=achieved, ended_at=_at(0))
    return event


def raid_out(to: Who, viewers: int) -> dict[str, Any]:
    """`channel.raid` for the condition from_broadcaster_user_id: this channel raids `to`."""
    return {**user("from_broadcaster_user", BROADCASTER), **user("to_broadcaster_user", to), "viewers": viewers}
