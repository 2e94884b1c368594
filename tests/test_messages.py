"""Frames -> typed messages: the one parsing boundary."""

from __future__ import annotations

import json

import pytest

from focuslib.errors import ParseError
from focuslib.twitch.events import ChatMessage, Follow, Subscribe, UnknownEvent
from focuslib.twitch.messages import Keepalive, Notification, Reconnect, Revocation, UnknownMessage, Welcome, parse_frame
from focuslib.sim import payloads


def test_welcome_keepalive_and_reconnect():
    w = parse_frame(json.dumps(payloads.welcome("AgoQx7", 30)))
    assert isinstance(w, Welcome) and w.session_id == "AgoQx7" and w.keepalive_timeout == 30
    assert isinstance(parse_frame(json.dumps(payloads.keepalive())), Keepalive)
    r = parse_frame(json.dumps(payloads.reconnect("AgoQx7", "wss://edge.example/ws?x=1")))
    assert isinstance(r, Reconnect) and r.reconnect_url == "wss://edge.example/ws?x=1"


def test_reconnect_url_is_read_from_payload_session_only():
    doc = payloads.reconnect("s", "wss://right.example/ws")
    doc["payload"]["reconnect_url"] = "wss://wrong.example/ws"
    assert parse_frame(json.dumps(doc)).reconnect_url == "wss://right.example/ws"
    doc["payload"]["session"]["reconnect_url"] = None
    with pytest.raises(ParseError):
        parse_frame(json.dumps(doc))


def test_notification_events_are_typed():
    sub = payloads.subscription_object("channel.chat.message", "1", {}, "s")
    event = payloads.chat_message(("81", "pixel_otter", "Pixel_Otter"), "@DeskFox gg Cheer50 HeyGuys", color="",
                                  badges=[("subscriber", "6", "8")])
    n = parse_frame(json.dumps(payloads.notification(sub, event, message_id="m1")))
    assert isinstance(n, Notification) and n.message_id == "m1"
    chat = n.event
    assert isinstance(chat, ChatMessage)
    assert chat.chatter.display == "Pixel_Otter" and chat.color == ""
    assert [f.kind for f in chat.fragments] == ["mention", "text", "cheermote", "text", "emote"]
    assert chat.bits == 50 and chat.badges[0].info == "8"
    follow = parse_frame(json.dumps(payloads.notification(
        payloads.subscription_object("channel.follow", "2", {}, "s"), payloads.follow(("2", "bob", "Bob"))))).event
    assert isinstance(follow, Follow) and follow.user.login == "bob"
    sub_ev = parse_frame(json.dumps(payloads.notification(
        payloads.subscription_object("channel.subscribe", "1", {}, "s"),
        payloads.subscribe(("3", "cy", "Cy"), "3000", True)))).event
    assert isinstance(sub_ev, Subscribe) and sub_ev.tier == "3000" and sub_ev.is_gift


def test_null_and_missing_optional_fields_do_not_raise():
    sub = payloads.subscription_object("channel.chat.message", "1", {}, "s")
    event = {"chatter_user_id": None, "message": None, "badges": None, "color": None, "reply": None}
    chat = parse_frame(json.dumps(payloads.notification(sub, event))).event
    assert isinstance(chat, ChatMessage) and chat.text == "" and chat.chatter.display == "anonymous"


def test_unknown_types_are_kept_not_rejected():
    sub = payloads.subscription_object("channel.brand_new", "3", {}, "s")
    n = parse_frame(json.dumps(payloads.notification(sub, {"anything": [1, 2]})))
    assert isinstance(n.event, UnknownEvent) and n.event.subscription_type == "channel.brand_new"
    doc = {"metadata": {"message_id": "x", "message_type": "session_future"}, "payload": {}}
    assert isinstance(parse_frame(json.dumps(doc)), UnknownMessage)


def test_revocation_and_the_mocks_revoked_notification():
    sub = payloads.subscription_object("channel.follow", "2", {}, "s")
    r = parse_frame(json.dumps(payloads.revocation(sub, "user_removed")))
    assert isinstance(r, Revocation) and r.status == "user_removed" and r.subscription_type == "channel.follow"
    # twitch-cli's mock: a notification whose subscription is revoked and that has no event
    doc = payloads.notification(dict(sub, status="revoked"), {})
    del doc["payload"]["event"]
    r = parse_frame(json.dumps(doc))
    assert isinstance(r, Revocation) and r.status == "revoked"


@pytest.mark.parametrize("raw", [
    "{not json", "[1, 2]", '"text"', "{}", '{"metadata": {}, "payload": {}}',
    '{"metadata": {"message_id": "a", "message_type": "session_welcome"}, "payload": {"session": {}}}',
    '{"metadata": {"message_id": "a", "message_type": "notification"}, "payload": {}}',
    b"\xff\xfe",
])
def test_malformed_frames_raise_one_parse_error_carrying_the_raw_text(raw):
    with pytest.raises(ParseError) as info:
        parse_frame(raw)
    assert info.value.raw == raw and info.value.message


def test_every_record_the_chat_path_builds_without_its_constructor_is_whole():
    # events_base.record_builder skips a NamedTuple's own __new__ (the chat hot
    # path): a field added to one of those records without adding it at the
    # build site would give a short tuple that fails only when the field is read.
    from focuslib.twitch.events_base import FAST_RECORDS
    from focuslib.twitch.session import Session, Show

    session = Session("ws://127.0.0.1:1/ws", ())
    session.start(0)
    session.opened(1, 0)
    session.receive(1, parse_frame(json.dumps(payloads.welcome("x", 10))), 0)
    sub = payloads.subscription_object("channel.chat.message", "1", {}, "x")
    event = payloads.chat_message(("81", "pixel_otter", "Pixel_Otter"), "@DeskFox gg Cheer50 HeyGuys",
                                  badges=[("subscriber", "6", "8"), ("vip", "1", "")])
    frame = parse_frame(json.dumps(payloads.notification(sub, event, message_id="m1")))
    (show,) = [a for a in session.receive(1, frame, 1) if isinstance(a, Show)]

    seen: set[type] = set()

    def walk(value: object) -> None:
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            seen.add(type(value))
            assert len(value) == len(value._fields), f"{type(value).__name__} built short: {value!r}"
        if isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(frame)
    walk(show)
    assert FAST_RECORDS <= seen, f"not built on this path: {FAST_RECORDS - seen}"
