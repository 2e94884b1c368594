"""The pieces every event payload shares, and the only code that digs through Twitch's dicts.

Protocol notes §3: users come as `<prefix>_id/_login/_name` triplets, optional
objects are `null` or missing, ids are strings.  Every reader here returns an
empty value for a missing, null or wrongly typed field, so a payload Twitch
changed shows up incomplete instead of raising.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, TypeVar

# Event records are NamedTuples: as immutable as frozen dataclasses, about
# three times cheaper to build (a frozen dataclass sets each field through
# object.__setattr__: ~4 us of a chat message's ~25 us), and seven times
# cheaper to define (35 dataclasses cost ~17 ms of focus's start-up).


class User(NamedTuple):
    id: str
    login: str
    name: str

    @property
    def display(self) -> str:
        return self.name or self.login or "anonymous"


ANONYMOUS = User("", "", "")


class Badge(NamedTuple):
    set_id: str
    id: str
    info: str  # subscriber/founder badges: months, as a string; "" otherwise


class Fragment(NamedTuple):
    kind: str  # "text", "emote", "cheermote" or "mention"
    text: str
    bits: int = 0  # cheermote only
    login: str = ""  # mention only: whom it mentions
    user_id: str = ""  # mention only
    tier: int = 0  # cheermote only: 1, 100, 1000, 5000, 10000 (picks its color)


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """A subscription type focus does not know: kept whole for the devlog, never shown."""

    subscription_type: str
    version: str
    data: dict[str, Any] = field(repr=False, compare=False)


# -- the chat path's records ----------------------------------------------------

# A NamedTuple's own constructor runs a Python-level __new__: User(a, b, c)
# takes 144 ns where tuple.__new__(User, (a, b, c)) takes 81 ns (timeit,
# CPython 3.11), and one chat message builds five records on its way to the
# screen (two users, a fragment, the Notification, the Show).  The builders
# below skip it.  They take a tuple of ALL the fields, in order: no defaults,
# no checks, so a record built short would fail only when its missing field is
# read.  tests/test_messages.py builds every record type registered here
# through the chat path and fails on any that is short.

R = TypeVar("R")
FAST_RECORDS: set[type] = set()  # the types built by a `record_builder` (for that test)


def record_builder(cls: type[R]) -> Callable[[tuple[Any, ...]], R]:
    """Builds `cls` records from a tuple of all their fields, skipping the NamedTuple's own __new__."""
    FAST_RECORDS.add(cls)
    return functools.partial(tuple.__new__, cls)  # type: ignore[return-value]


new_user = record_builder(User)
new_badge = record_builder(Badge)
new_fragment = record_builder(Fragment)


# -- field readers ------------------------------------------------------------


def str_at(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    return value if type(value) is str else ""  # noqa: E721 -- exact type: the chat hot path


def int_at(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def optional_int_at(d: dict[str, Any], key: str) -> int | None:
    """An "int or null" field (e.g. `cumulative_total`, `streak_months`)."""
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def true_at(d: dict[str, Any], key: str) -> bool:
    return d.get(key) is True


def dict_at(d: dict[str, Any], key: str) -> dict[str, Any]:
    value = d.get(key)
    return value if isinstance(value, dict) else {}


def list_at(d: dict[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    return value if isinstance(value, list) else []


def dicts_at(d: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [x for x in list_at(d, key) if isinstance(x, dict)]


_KEYS: dict[str, tuple[str, str, str]] = {}


def user(d: dict[str, Any], prefix: str) -> User:
    """The `<prefix>_id/_login/_name` triplet Twitch uses for every user."""
    keys = _KEYS.get(prefix)
    if keys is None:
        keys = _KEYS[prefix] = (prefix + "_id", prefix + "_login", prefix + "_name")
    get = d.get
    uid, login, name = get(keys[0]), get(keys[1]), get(keys[2])
    return new_user((uid if type(uid) is str else "", login if type(login) is str else "",  # noqa: E721
                     name if type(name) is str else ""))  # noqa: E721


def optional_user(d: dict[str, Any], prefix: str) -> User | None:
    """A triplet that is all null when absent (shared chat source, anonymous gifters)."""
    if d.get(prefix + "_id") is None and d.get(prefix + "_login") is None and d.get(prefix + "_name") is None:
        return None
    u = user(d, prefix)
    return u if (u.id or u.login or u.name) else None


def badges(items: list[Any]) -> tuple[Badge, ...]:
    return tuple([new_badge((str_at(x, "set_id"), str_at(x, "id"), str_at(x, "info"))) for x in items
                  if type(x) is dict])  # noqa: E721


def fragments(message: dict[str, Any]) -> tuple[Fragment, ...]:
    """`message.fragments` (§3.1): text, emote, cheermote and mention parts, in order."""
    raw = message.get("fragments")
    if type(raw) is not list:  # noqa: E721
        return ()
    out = []
    append = out.append
    for frag in raw:
        if type(frag) is not dict:  # noqa: E721
            continue
        kind = frag.get("type")
        text = frag.get("text")
        if type(text) is not str:  # noqa: E721
            text = ""
        if kind == "text" or kind == "emote":
            append(new_fragment((kind, text, 0, "", "", 0)))
        elif kind == "mention":
            mention = dict_at(frag, "mention")
            append(Fragment("mention", text, login=str_at(mention, "user_login"), user_id=str_at(mention, "user_id")))
        elif kind == "cheermote":
            cheer = dict_at(frag, "cheermote")
            append(Fragment("cheermote", text, bits=int_at(cheer, "bits"), tier=int_at(cheer, "tier")))
        else:
            append(new_fragment(("text", text, 0, "", "", 0)))
    return tuple(out)


def message_parts(message: dict[str, Any]) -> tuple[str, tuple[Fragment, ...]]:
    """`message {text, fragments}` as (text, fragments); fragments fall back to the whole text."""
    text = str_at(message, "text")
    frags = fragments(message)
    if not frags and text:
        frags = (Fragment("text", text),)
    return text, frags
