"""Small things checked against Twitch's docs: every script's combining marks, invisible names, naive times, ids."""

from __future__ import annotations

import pytest

from focuslib.config import Settings
from focuslib.errors import ConfigError
from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_chat
from focuslib.text import sanitize
from focuslib.twitch.events import parse_event
from focuslib.view.render import ColorMode, Renderer

GHOST = ("77", "ghost_login", "\u3164\u200b\u2060")  # a display name of only invisible characters


@pytest.mark.parametrize("base, mark", [
    ("a", "\u0301"),  # Latin combining acute
    ("\u05d0", "\u05b8"),  # Hebrew qamats on alef
    ("\u0628", "\u064e"),  # Arabic fatha on beh
    ("\u0e01", "\u0e34"),  # Thai sara i on ko kai
    ("\u0915", "\u0941"),  # Devanagari vowel sign u on ka
    ("\u1000", "\u102d"),  # Myanmar vowel sign i
    ("x", "\u20dd"),  # an enclosing mark (Me)
])
def test_the_combining_mark_cap_covers_every_script(base, mark):
    assert sanitize(base + mark * 1000) == base + mark * 3
    assert sanitize(f"ok {base}{mark} ok") == f"ok {base}{mark} ok"  # a normal mark stays


def test_real_text_with_marks_passes_unchanged():
    for text in ["שָׁלוֹם", "مَرْحَبًا", "สวัสดี", "नमस्ते", "Tiếng Việt", "1\ufe0f\u20e3"]:
        assert sanitize(text) == text


@pytest.mark.parametrize("stype, payload, login", [
    ("channel.chat.notification", payloads_chat.raid(GHOST, 5), "ghost_login"),
    ("channel.chat.notification", payloads_chat.shared(payloads_chat.sub(("8", "otter", "Otter")), GHOST),
     "ghost_login"),
    ("channel.chat.message",
     payloads.chat_message(("8", "otter", "Otter"), "hi", reply=payloads.reply_to("p", GHOST, "q")), "@ghost_login"),
    ("channel.follow", payloads.follow(GHOST), "ghost_login"),
    ("channel.raid", payloads_channel.raid(GHOST, 5), "ghost_login"),
])
def test_a_name_of_only_invisible_characters_shows_as_the_login(stype, payload, login):
    line = Renderer(ColorMode.NONE, timestamps=False).event(parse_event(stype, "1", payload))
    assert line is not None and login in line


def test_a_gift_bomb_s_recipients_with_invisible_names_show_their_logins():
    from focuslib.view.render_notices import names_line
    from focuslib.twitch.events import User

    assert names_line([User(*GHOST), User("9", "moss", "Moss")], 80) == "ghost_login, Moss"


def test_times_without_a_time_zone_are_read_as_utc():
    r = Renderer(ColorMode.NONE, timestamps=False)
    naive = payloads_channel.ban(("8", "otter", "Otter"), ("9", "mod", "Mod"), "spam", 600)
    naive["banned_at"], naive["ends_at"] = "2024-05-01T18:20:00", "2024-05-01T18:30:00"
    aware = dict(naive, banned_at="2024-05-01T18:20:00Z", ends_at="2024-05-01T18:30:00Z")
    assert r.event(parse_event("channel.ban", "1", naive)) == r.event(parse_event("channel.ban", "1", aware))
    mixed = dict(naive, ends_at="2024-05-01T18:30:00Z")  # one with a zone, one without: no TypeError
    assert "10 min" in (r.event(parse_event("channel.ban", "1", mixed)) or "")


@pytest.mark.parametrize("value", ["١٢٣", "12³", "１２３", "12 3", "-5"])
def test_twitch_user_id_takes_ascii_digits_only(value):
    env = {"TWITCH_CLIENT_ID": "abc", "TWITCH_USER_ACCESS_TOKEN": "x", "TWITCH_USER_ID": value}
    with pytest.raises(ConfigError, match="TWITCH_USER_ID"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "TWITCH_USER_ID": "123"}).user_id == "123"
