"""EventSub event payloads -> frozen dataclasses (pure).

Field names follow Twitch's "EventSub Subscription Types" reference (see the
protocol notes §3).  Parsing is tolerant: a missing or null optional field
becomes an empty value, never an exception, because Twitch adds and changes
fields over time; an unknown subscription type becomes `UnknownEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Union


@dataclass(frozen=True, slots=True)
class User:
    id: str
    login: str
    name: str

    @property
    def display(self) -> str:
        return self.name or self.login or "anonymous"


ANONYMOUS = User("", "", "")


@dataclass(frozen=True, slots=True)
class Badge:
    set_id: str
    id: str
    info: str


@dataclass(frozen=True, slots=True)
class Fragment:
    kind: str  # "text", "emote", "cheermote" or "mention"
    text: str
    bits: int = 0  # cheermote only
    login: str = ""  # mention only: whom it mentions


@dataclass(frozen=True, slots=True)
class Reply:
    parent_message_id: str
    parent_user: User
    parent_body: str


@dataclass(frozen=True, slots=True)
class ChatMessage:
    message_id: str
    broadcaster: User
    chatter: User
    text: str
    fragments: tuple[Fragment, ...]
    message_type: str
    badges: tuple[Badge, ...]
    color: str
    bits: int
    reply: Reply | None
    reward_id: str
    source_broadcaster: User | None  # shared chat: the channel it was sent in


@dataclass(frozen=True, slots=True)
class Follow:
    user: User
    broadcaster: User
    followed_at: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    user: User
    broadcaster: User
    tier: str
    is_gift: bool


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    subscription_type: str
    version: str
    data: dict[str, Any] = field(repr=False, compare=False)


Event = Union[ChatMessage, Follow, Subscribe, UnknownEvent]


def parse_event(subscription_type: str, version: str, data: dict[str, Any]) -> Event:
    """Build the typed event for `subscription_type`; unknown types are kept whole."""
    parser = PARSERS.get(subscription_type)
    if parser is None:
        return UnknownEvent(subscription_type, version, data)
    return parser(data)


# -- field readers: the only place that digs through Twitch's dicts ---------

def s(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    return value if isinstance(value, str) else ""


def i(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def b(d: dict[str, Any], key: str) -> bool:
    return d.get(key) is True


def o(d: dict[str, Any], key: str) -> dict[str, Any]:
    value = d.get(key)
    return value if isinstance(value, dict) else {}


def lst(d: dict[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    return value if isinstance(value, list) else []


def user(d: dict[str, Any], prefix: str) -> User:
    """The `<prefix>_id/_login/_name` triplet Twitch uses for every user."""
    return User(s(d, prefix + "_id"), s(d, prefix + "_login"), s(d, prefix + "_name"))


def badges(items: list[Any]) -> tuple[Badge, ...]:
    return tuple(Badge(s(x, "set_id"), s(x, "id"), s(x, "info")) for x in items if isinstance(x, dict))


def fragments(message: dict[str, Any]) -> tuple[Fragment, ...]:
    out = []
    for frag in lst(message, "fragments"):
        if not isinstance(frag, dict):
            continue
        kind = s(frag, "type") or "text"
        text = s(frag, "text")
        if kind == "cheermote":
            out.append(Fragment(kind, text, bits=i(o(frag, "cheermote"), "bits")))
        elif kind == "mention":
            out.append(Fragment(kind, text, login=s(o(frag, "mention"), "user_login")))
        elif kind == "emote":
            out.append(Fragment(kind, text))
        else:
            out.append(Fragment("text", text))
    return tuple(out)


# -- per-type parsers -------------------------------------------------------

def _chat_message(d: dict[str, Any]) -> ChatMessage:
    message = o(d, "message")
    reply_d = d.get("reply")
    reply = None
    if isinstance(reply_d, dict):
        reply = Reply(s(reply_d, "parent_message_id"), user(reply_d, "parent_user"),
                      s(reply_d, "parent_message_body"))
    source = None
    if d.get("source_broadcaster_user_id"):
        source = user(d, "source_broadcaster_user")
    text = s(message, "text")
    frags = fragments(message) or (Fragment("text", text),)
    return ChatMessage(
        message_id=s(d, "message_id"),
        broadcaster=user(d, "broadcaster_user"),
        chatter=user(d, "chatter_user"),
        text=text,
        fragments=frags,
        message_type=s(d, "message_type") or "text",
        badges=badges(lst(d, "badges")),
        color=s(d, "color"),
        bits=i(o(d, "cheer"), "bits"),
        reply=reply,
        reward_id=s(d, "channel_points_custom_reward_id"),
        source_broadcaster=source,
    )


def _follow(d: dict[str, Any]) -> Follow:
    return Follow(user(d, "user"), user(d, "broadcaster_user"), s(d, "followed_at"))


def _subscribe(d: dict[str, Any]) -> Subscribe:
    return Subscribe(user(d, "user"), user(d, "broadcaster_user"), s(d, "tier"), b(d, "is_gift"))


PARSERS: dict[str, Callable[[dict[str, Any]], Event]] = {
    "channel.chat.message": _chat_message,
    "channel.follow": _follow,
    "channel.subscribe": _subscribe,
}
