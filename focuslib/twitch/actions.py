"""What the EventSub session asks the runtime to do (see the theory of operation in twitch/session.py).

NamedTuples: immutable records, and cheap to build once per message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Union

from focuslib.twitch.events_base import record_builder
from focuslib.twitch.subscriptions import SubscriptionSpec

if TYPE_CHECKING:
    from focuslib.twitch.events import Event


class Connect(NamedTuple):
    conn: int
    url: str


class Close(NamedTuple):
    conn: int
    code: int = 1000  # 0 = drop the socket without a close handshake


class CreateSubscriptions(NamedTuple):
    """POST one Create EventSub Subscription per spec for `session_id`; answers come back tagged with `epoch`."""

    epoch: int
    session_id: str
    specs: tuple[SubscriptionSpec, ...]


class Show(NamedTuple):
    event: Event
    message_id: str
    timestamp: str


new_show = record_builder(Show)  # one per chat message (see events_base)


class Tell(NamedTuple):
    """A notice line for the streamer (and the devlog)."""

    text: str
    level: str = "info"  # info | warn | error


class Status(NamedTuple):
    text: str


class Gap(NamedTuple):
    since: float  # monotonic times; the runtime converts them to wall clock
    until: float


class Log(NamedTuple):
    event: str
    detail: dict[str, Any] = {}  # never mutated


class CheckToken(NamedTuple):
    """Validate the token now: Twitch revoked a subscription because the authorization was revoked (§4.2)."""

    why: str


class Fatal(NamedTuple):
    message: str
    hint: str


Action = Union[Connect, Close, CreateSubscriptions, Show, Tell, Status, Gap, Log, CheckToken, Fatal]
