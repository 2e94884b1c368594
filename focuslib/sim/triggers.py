"""Events a person can fire by hand at a running simulator (`make trigger EVENT=...`)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Callable

from . import payloads as P

if TYPE_CHECKING:
    from .server import SimTwitch

CHATTERS = [
    (("81230001", "pixel_otter", "Pixel_Otter"), "#FF7F50", [("subscriber", "12", "14")]),
    (("81230002", "mossy_lantern", "Mossy_Lantern"), "#3C8DFF", [("moderator", "1", "")]),
    (("81230003", "byte_heron", "byte_heron"), "", []),
    (("81230004", "kaffee_katze", "KaffeeKatze"), "#9ACD32", [("vip", "1", "")]),
    (("81230005", "tiny_compiler", "ちいさなコンパイラ"), "#DAA520", [("subscriber", "3", "3")]),
    (("81230006", "loud_kettle", "Loud_Kettle"), "#000000", []),
]

LINES = [
    "hey @DeskFox what are we building today? HeyGuys",
    "that borrow checker error is a classic LUL",
    "try a dataclass with slots=True SeemsGood",
    "first time here, love the setup 🦊✨",
    "is that vim or neovim?",
    "Kappa Kappa Kappa",
    "have you tried turning the event loop off and on again",
    "日本語のチャットも大丈夫? 👍",
    "PogChamp it compiled",
]


def _chat() -> tuple[str, dict[str, Any]]:
    who, color, badges = random.choice(CHATTERS)
    return "channel.chat.message", P.chat_message(who, random.choice(LINES), color=color, badges=badges)


def _follow() -> tuple[str, dict[str, Any]]:
    n = random.randint(1000, 9999)
    return "channel.follow", P.follow((str(70100000 + n), f"new_friend_{n}", f"New_Friend_{n}"))


def _sub() -> tuple[str, dict[str, Any]]:
    who = random.choice(CHATTERS)[0]
    return "channel.subscribe", P.subscribe(who, random.choice(["1000", "1000", "2000", "3000"]))


def _gift() -> tuple[str, dict[str, Any]]:
    who = random.choice(CHATTERS)[0]
    return "channel.subscribe", P.subscribe(who, "1000", is_gift=True)


TRIGGERS: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
    "chat": _chat,
    "follow": _follow,
    "sub": _sub,
    "gift": _gift,
}


def fire(sim: SimTwitch, name: str, count: int = 1) -> int:
    """Send `count` events of kind `name` to every subscribed session."""
    for _ in range(count):
        stype, event = TRIGGERS[name]()
        sim.notify(stype, event)
    return count
