"""EventSub WebSocket frames -> typed messages (pure; the one parsing boundary).

Twitch docs, "WebSocket Messages": every frame is one JSON object
`{"metadata": {...}, "payload": {...}}`.  Unknown message types and unknown
fields are tolerated (Twitch adds fields over time); a frame that is not a JSON
object with the fields a message type needs raises `ParseError`, which keeps the
raw text for the devlog.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Union

from focuslib.errors import ParseError
from focuslib.twitch.events_base import record_builder

if TYPE_CHECKING:
    from focuslib.twitch.events import Event


class Welcome(NamedTuple):
    message_id: str
    timestamp: str
    session_id: str
    keepalive_timeout: int
    connected_at: str


class Keepalive(NamedTuple):
    message_id: str
    timestamp: str


class Reconnect(NamedTuple):
    message_id: str
    timestamp: str
    session_id: str
    reconnect_url: str


class Notification(NamedTuple):
    message_id: str
    timestamp: str
    subscription_type: str
    subscription_version: str
    subscription_status: str
    event: Event


class Revocation(NamedTuple):
    message_id: str
    timestamp: str
    subscription_type: str
    subscription_version: str
    status: str


class UnknownMessage(NamedTuple):
    message_id: str
    timestamp: str
    message_type: str


# NamedTuples: immutable records, cheap to build once per frame (see events_base).
Message = Union[Welcome, Keepalive, Reconnect, Notification, Revocation, UnknownMessage]

new_notification = record_builder(Notification)  # every chat message comes in one (see events_base)


class FrameParser:
    """Text frames -> messages, starting light.

    Until `load()` (or the first notification) it decodes with json.loads and
    has not imported the ~50 event parsers: the welcome needs neither, and
    start-up does not pay for them.  `load()` brings in orjson, which decodes a
    1.5 KB notification in about a third of json.loads' time and checks UTF-8
    itself (its errors are ValueErrors), and the event parsers.  The runtime
    calls it once subscribed (runtime/setup.py's warm-up).
    """

    __slots__ = ("_loads", "_parse_event", "channel")

    def __init__(self) -> None:
        self._loads: Callable[[str | bytes], Any] = json.loads
        self._parse_event: Callable[..., Event] | None = None
        self.channel = ""  # the broadcaster id focus shows, once known: which end of a raid the channel is

    @property
    def loaded(self) -> bool:
        """Whether orjson and the event parsers are in (see `load`)."""
        return self._parse_event is not None

    def load(self) -> Callable[..., Event]:
        """Import orjson and the event parsers now (idempotent); returns the event parser."""
        if self._parse_event is None:
            import orjson

            from focuslib.twitch.events import parse_event

            self._loads = orjson.loads
            self._parse_event = parse_event
        return self._parse_event

    def __call__(self, raw: str | bytes) -> Message:
        """Decode one text frame. Raises ParseError (carrying `raw`) when malformed."""
        try:
            doc = self._loads(raw)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"frame is not valid JSON ({exc})", raw) from None
        if not isinstance(doc, dict):
            raise ParseError("frame is not a JSON object", raw)
        meta = doc.get("metadata")
        payload = doc.get("payload")
        if not isinstance(meta, dict) or not isinstance(payload, dict):
            raise ParseError("frame has no metadata/payload objects", raw)
        mtype = meta.get("message_type")
        mid = meta.get("message_id")
        if not isinstance(mtype, str) or not isinstance(mid, str):
            raise ParseError("frame has no message_type/message_id", raw)
        ts = _str(meta.get("message_timestamp"))
        try:
            if mtype == "notification":
                return self._notification(mid, ts, meta, payload)
            if mtype == "session_keepalive":
                return Keepalive(mid, ts)
            if mtype == "session_welcome":
                return _welcome(mid, ts, payload)
            if mtype == "session_reconnect":
                return _reconnect(mid, ts, payload)
            if mtype == "revocation":
                sub = _obj(payload.get("subscription"))
                return Revocation(mid, ts, _sub_field(meta, sub, "type"), _sub_field(meta, sub, "version"),
                                  _str(sub.get("status")) or "revoked")
        except ParseError as exc:
            raise ParseError(exc.message, raw) from None
        return UnknownMessage(mid, ts, mtype)

    def _notification(self, mid: str, ts: str, meta: dict[str, Any], payload: dict[str, Any]) -> Message:
        sub = _obj(payload.get("subscription"))
        stype = _sub_field(meta, sub, "type")
        version = _sub_field(meta, sub, "version")
        status = _str(sub.get("status")) or "enabled"
        event = payload.get("event")
        if not isinstance(event, dict):
            # twitch-cli's mock delivers "revoked" subscriptions as a notification
            # without an event (protocol notes §6.4): treat it as a revocation.
            if status != "enabled":
                return Revocation(mid, ts, stype, version, status)
            raise ParseError(f"{stype} notification has no event object")
        parse = self._parse_event or self.load()
        if stype == "channel.raid":  # in or out: the payload's ends against the channel (events_community.py)
            return new_notification((mid, ts, stype, version, status,
                                     parse(stype, version, event, _obj(sub.get("condition")), self.channel)))
        return new_notification((mid, ts, stype, version, status, parse(stype, version, event)))


def parse_frame(raw: str | bytes) -> Message:
    """Decode one text frame with a parser of its own (tests, doctor; the runtime keeps one FrameParser)."""
    return FrameParser()(raw)


def _welcome(mid: str, ts: str, payload: dict[str, Any]) -> Welcome:
    session = _obj(payload.get("session"))
    sid = session.get("id")
    if not isinstance(sid, str) or not sid:
        raise ParseError("session_welcome has no session id")
    keepalive = session.get("keepalive_timeout_seconds")
    if not isinstance(keepalive, int) or isinstance(keepalive, bool) or keepalive <= 0:
        keepalive = 10  # Twitch's documented default
    return Welcome(mid, ts, sid, keepalive, _str(session.get("connected_at")))


def _reconnect(mid: str, ts: str, payload: dict[str, Any]) -> Reconnect:
    # The URL lives in payload.session.reconnect_url (reading payload.reconnect_url
    # is a known bug that ends in close 4003 on the new socket).
    session = _obj(payload.get("session"))
    url = session.get("reconnect_url")
    if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
        raise ParseError("session_reconnect has no usable reconnect_url")
    return Reconnect(mid, ts, _str(session.get("id")), url)


def _sub_field(meta: dict[str, Any], sub: dict[str, Any], name: str) -> str:
    value = meta.get("subscription_" + name) or sub.get(name)
    if not isinstance(value, str) or not value:
        raise ParseError(f"message has no subscription {name}")
    return value


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
