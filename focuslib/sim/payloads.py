"""Build EventSub messages shaped like Twitch's (protocol notes §1 and §3).

Used by the simulated Twitch, the demo channel, the tests and the bench.  All
ids and names are made up.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from typing import Any, Iterable

BROADCASTER = ("70000001", "deskfox", "DeskFox")

_counter = itertools.count(1)


def now_rfc3339() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rfc3339(moment: float) -> str:
    """Unix time `moment` as Helix writes times (whole seconds, UTC)."""
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return str(uuid.uuid4())


def user(prefix: str, who: tuple[str, str, str] | None) -> dict[str, Any]:
    """The `<prefix>_id/_login/_name` triplet (all null for anonymous)."""
    if who is None:
        return {f"{prefix}_id": None, f"{prefix}_login": None, f"{prefix}_name": None}
    uid, login, name = who
    return {f"{prefix}_id": uid, f"{prefix}_login": login, f"{prefix}_name": name}


def broadcaster() -> dict[str, Any]:
    return user("broadcaster_user", BROADCASTER)


# -- envelopes --------------------------------------------------------------

def welcome(session_id: str, keepalive: int) -> dict[str, Any]:
    return _env("session_welcome", {"session": {
        "id": session_id, "status": "connected", "connected_at": now_rfc3339(),
        "keepalive_timeout_seconds": keepalive, "reconnect_url": None}})


def keepalive() -> dict[str, Any]:
    return _env("session_keepalive", {})


def reconnect(session_id: str, url: str) -> dict[str, Any]:
    return _env("session_reconnect", {"session": {
        "id": session_id, "status": "reconnecting", "keepalive_timeout_seconds": None,
        "reconnect_url": url, "connected_at": now_rfc3339()}})


def notification(subscription: dict[str, Any], event: dict[str, Any], message_id: str | None = None
                 ) -> dict[str, Any]:
    return _env("notification", {"subscription": subscription, "event": event}, message_id=message_id,
                subscription_type=subscription["type"], subscription_version=subscription["version"])


def revocation(subscription: dict[str, Any], status: str) -> dict[str, Any]:
    sub = dict(subscription, status=status)
    return _env("revocation", {"subscription": sub},
                subscription_type=sub["type"], subscription_version=sub["version"])


def subscription_object(stype: str, version: str, condition: dict[str, str], session_id: str,
                        sub_id: str | None = None) -> dict[str, Any]:
    return {"id": sub_id or new_id(), "status": "enabled", "type": stype, "version": version, "cost": 0,
            "condition": condition, "transport": {"method": "websocket", "session_id": session_id},
            "created_at": now_rfc3339()}


def _env(message_type: str, payload: dict[str, Any], *, message_id: str | None = None,
         subscription_type: str | None = None, subscription_version: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"message_id": message_id or new_id(), "message_type": message_type,
                            "message_timestamp": now_rfc3339()}
    if subscription_type:
        meta["subscription_type"] = subscription_type
        meta["subscription_version"] = subscription_version
    return {"metadata": meta, "payload": payload}


# -- events -------------------------------------------------------------------

EMOTES = {"Kappa": "25", "HeyGuys": "30259", "PogChamp": "305954156", "LUL": "425618", "SeemsGood": "64138",
          "CoolCat": "58127", "VoHiYo": "81274", "BibleThump": "86", "<3": "9"}
_TOKEN = re.compile(r"(\s+)")
_MENTION = re.compile(r"@(\w+)")
_CHEER = re.compile(r"^(Cheer|cheer|Corgo|uni|Kappa)(\d+)$")


def fragments(text: str, users: dict[str, tuple[str, str, str]] | None = None) -> list[dict[str, Any]]:
    """Split `text` into Twitch-style fragments: emotes, @mentions and cheermotes get their own."""
    out: list[dict[str, Any]] = []
    users = users or {BROADCASTER[1]: BROADCASTER}
    buf = ""
    for part in _TOKEN.split(text):
        frag = None
        if part in EMOTES:
            frag = {"type": "emote", "text": part, "cheermote": None, "mention": None,
                    "emote": {"id": EMOTES[part], "emote_set_id": "0", "owner_id": "0", "format": ["static"]}}
        elif (m := _MENTION.match(part)) is not None:
            name, rest = m.group(1), part[m.end():]
            uid, ulogin, uname = users.get(name.lower(), (str(80000000 + len(name)), name.lower(), name))
            frag = {"type": "mention", "text": "@" + name, "cheermote": None, "emote": None,
                    "mention": {"user_id": uid, "user_login": ulogin, "user_name": uname}}
            if rest:  # trailing punctuation stays text, as on Twitch
                if buf:
                    out.append(_text(buf))
                    buf = ""
                out.append(frag)
                buf = rest
                continue
        elif (m := _CHEER.match(part)) is not None:
            bits = int(m.group(2))
            tier = 1 if bits < 100 else 100 if bits < 1000 else 1000
            frag = {"type": "cheermote", "text": part, "emote": None, "mention": None,
                    "cheermote": {"prefix": m.group(1), "bits": bits, "tier": tier}}
        if frag is None:
            buf += part
            continue
        if buf:
            out.append(_text(buf))
            buf = ""
        out.append(frag)
    if buf:
        out.append(_text(buf))
    return out


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "cheermote": None, "emote": None, "mention": None}


def chat_message(chatter: tuple[str, str, str], text: str, *, color: str = "",
                 badges: Iterable[tuple[str, str, str]] = (), message_type: str = "text",
                 reply: dict[str, Any] | None = None, reward_id: str | None = None,
                 message_id: str | None = None, frags: list[dict[str, Any]] | None = None,
                 source: tuple[str, str, str] | None = None) -> dict[str, Any]:
    frags = fragments(text) if frags is None else frags
    bits = sum(f["cheermote"]["bits"] for f in frags if f["type"] == "cheermote")
    event = {**broadcaster(), **user("chatter_user", chatter),
             "message_id": message_id or new_id(),
             "message": {"text": text, "fragments": frags},
             "message_type": message_type,
             "badges": [{"set_id": s, "id": i, "info": info} for s, i, info in badges],
             "cheer": {"bits": bits} if bits else None,
             "color": color, "reply": reply,
             "channel_points_custom_reward_id": reward_id, "channel_points_animation_id": None,
             **user("source_broadcaster_user", source),
             "source_message_id": new_id() if source else None,
             "source_badges": [] if source else None, "is_source_only": False if source else None}
    return event


def reply_to(parent_id: str, parent: tuple[str, str, str], body: str) -> dict[str, Any]:
    uid, login, name = parent
    return {"parent_message_id": parent_id, "parent_message_body": body, "parent_user_id": uid,
            "parent_user_name": name, "parent_user_login": login, "thread_message_id": parent_id,
            "thread_user_id": uid, "thread_user_name": name, "thread_user_login": login}


def follow(who: tuple[str, str, str]) -> dict[str, Any]:
    return {**user("user", who), **broadcaster(), "followed_at": now_rfc3339()}


def subscribe(who: tuple[str, str, str], tier: str = "1000", is_gift: bool = False) -> dict[str, Any]:
    return {**user("user", who), **broadcaster(), "tier": tier, "is_gift": is_gift}


def chatter(n: int) -> tuple[str, str, str]:
    """A made-up chatter number `n`."""
    return (str(90000000 + n), f"viewer_{n}", f"Viewer_{n}")
