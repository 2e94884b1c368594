"""What the App is wired to, given at its construction: nothing is assigned on a built App from outside.

Set-up (runtime/setup.py) builds a `Hooks` before the App.  Some parts can only be known after the App exists:
the chat memory (it reports through the App's inbox; its history writer starts after the first connection, while
the token is checked), the token keeper and the channel (both known once the token is checked, which runs while
the App's first connection opens).  For those the App gets a `Late`: set-up sets it once, when the part is
built; the App reads it once, when its loop starts (`App.serve`), before any frame is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    from focuslib.runtime.headerfeed import HeaderFeed
    from focuslib.runtime.memory import ChatMemory
    from focuslib.twitch.subscriptions import SubscriptionSpec

T = TypeVar("T")


class Late(Generic[T]):
    """A part built after the App: set once (a second `set`, or one after the App read it, is a bug and raises)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._value: T | None = None
        self._set = False
        self._read = False

    def set(self, value: T) -> T:
        if self._set or self._read:
            raise RuntimeError(f"{self.what} is wired once, before the App's loop starts")
        self._value, self._set = value, True
        return value

    def get(self) -> T | None:
        """The part, or None when set-up built none (no history; twitch-cli's mock has no token keeper)."""
        self._read = True
        return self._value


class Channel(NamedTuple):
    """What this focus shows, once the token is checked: the subscriptions its scopes allow (the session's desired
    set) and the broadcaster (the parser tells which end of a raid the channel is, twitch/events_community.py)."""

    subscriptions: tuple[SubscriptionSpec, ...]
    broadcaster: str


@dataclass(frozen=True)
class Hooks:
    """The App's hooks; each may be absent (a focus without the input line, the history or the header)."""

    on_show: Callable[[Any], None] | None = None  # an event shown: the input line's recent chat, the private notes
    header: HeaderFeed | None = None  # the screen's header: events, statuses, gaps, guard (runtime/headerfeed.py)
    drain: Callable[[], bool] | None = None  # the stop's last flush of stdout; False: it was dropped
    memory: Late[ChatMemory] = field(default_factory=lambda: Late("the chat memory"))  # runtime/memory.py
    check_token: Late[Callable[[], None]] = field(default_factory=lambda: Late("the token check"))  # the keeper's
    channel: Late[Channel] = field(default_factory=lambda: Late("the channel"))
