"""The sanitizer and the line renderer (pure)."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from focuslib.twitch.events import ChatMessage, Follow, Fragment, Subscribe, User
from focuslib.settings import color_hints
from focuslib.view.colors import detect_color_mode, rgb_sgr
from focuslib.view.render import ColorMode, Renderer
from focuslib.text import escape_unsafe, sanitize

SGR_ONLY = re.compile(r"\x1b\[[0-9;]*m")

HOSTILE = [
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("\x1b]0;pwned title\x07after", "after"),
    ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1bP+q544e\x1b\\x", "x"),
    ("\x9b31mred", "red"),
    ("a\x07b\x08c\x7fd", "abcd"),
    ("line\nbreak\rcr\ttab", "line break cr tab"),
    ("\u202eevil\u202c", "evil"),
    ("zero\u200bwidth\u2060joiner\ufeff", "zerowidthjoiner"),
    ("\u3164", ""),
    ("tag\U000E0041\U000E0042s", "tags"),
    ("\x1b[", ""),
]


@pytest.mark.parametrize("raw, clean", HOSTILE)
def test_sanitize_removes_whole_escape_sequences_and_invisible_tricks(raw, clean):
    assert sanitize(raw) == clean


def test_sanitize_keeps_emoji_cjk_rtl_and_joiners():
    for text in ["🦊✨", "日本語のチャット", "مرحبا بالعالم", "👨\u200d👩\u200d👧", "naïve café", "e\u0301"]:
        assert sanitize(text) == text


def test_sanitize_cuts_zalgo_stacks():
    assert sanitize("a" + "\u0301" * 40) == "a" + "\u0301" * 3


def test_escape_unsafe_keeps_json_valid_and_visible():
    assert escape_unsafe('{"t":"a\u202eb\x1bc"}') == '{"t":"a\\u202eb\\u001bc"}'
    assert escape_unsafe('{"t":"🦊"}') == '{"t":"🦊"}'


def _chat(text: str, name: str = "Ann", color: str = "#FF0000") -> ChatMessage:
    return ChatMessage("m", User("1", "b", "B"), User("2", name.lower(), name), text, (Fragment("text", text),),
                       "text", (), color, 0, None, "", None)


def test_chat_line_plain():
    r = Renderer(ColorMode.NONE, clock=lambda: 0.0)
    line = r.event(_chat("hello 🦊"))
    assert re.fullmatch(r"\[\d\d:\d\d\] Ann: hello 🦊", line)


def test_hostile_chat_never_reaches_the_terminal_as_escapes():
    for mode in ColorMode:
        r = Renderer(mode)
        for raw, _ in HOSTILE:
            line = r.event(_chat(raw, name="Evil\x1b[31m\u202e"))
            leftover = SGR_ONLY.sub("", line)
            assert "\x1b" not in leftover and "\x9b" not in leftover and "\u202e" not in leftover
            assert mode is not ColorMode.NONE or "\x1b" not in line


@pytest.mark.parametrize("mode, expect", [
    (ColorMode.TRUE, "38;2;255;127;80"), (ColorMode.X256, "38;5;209"), (ColorMode.BASIC, "91"),
])
def test_user_colors_in_each_depth(mode, expect):
    assert rgb_sgr((255, 127, 80), mode) == expect
    assert expect in Renderer(mode).event(_chat("x", color="#FF7F50"))


def test_empty_color_gets_a_stable_readable_default():
    r = Renderer(ColorMode.TRUE)
    a, b = r.event(_chat("x", color="")), r.event(_chat("y", color=""))
    assert "38;2;" in a and a.split(":", 2)[1][:30] == b.split(":", 2)[1][:30]


def test_follow_and_sub_lines():
    r = Renderer(ColorMode.NONE, timestamps=False)
    who = User("3", "cy", "Cy")
    me = User("1", "b", "B")
    assert r.event(Follow(who, me, "")) == "♥ Cy followed"
    assert r.event(Subscribe(who, me, "2000", False)) == "[SUB] ★ Cy subscribed at T2"
    assert r.event(Subscribe(who, me, "3000", True)) == "✦ Cy received a gifted T3 sub"
    assert r.event(Subscribe(who, me, "", False)) == "[SUB] ★ Cy subscribed at T?"


def test_invisible_display_name_falls_back_to_login():
    r = Renderer(ColorMode.NONE, timestamps=False)
    msg = ChatMessage("m", User("1", "b", "B"), User("2", "real_login", "\u3164\u200b"), "hi",
                      (Fragment("text", "hi"),), "text", (), "", 0, None, "", None)
    assert r.event(msg) == "real_login: hi"


@pytest.mark.parametrize("env, tty, choice, expect", [
    ({"NO_COLOR": "1", "COLORTERM": "truecolor"}, True, "always", ColorMode.NONE),
    ({"TERM": "xterm-256color"}, False, "auto", ColorMode.NONE),
    ({"TERM": "xterm-256color"}, False, "always", ColorMode.X256),
    ({"TERM": "xterm", "COLORTERM": "truecolor"}, True, "auto", ColorMode.TRUE),
    ({"TERM": "xterm"}, True, "auto", ColorMode.BASIC),
    ({"TERM": "dumb"}, True, "auto", ColorMode.NONE),
    ({"TERM": "xterm-256color"}, True, "never", ColorMode.NONE),
])
def test_color_mode_detection(env, tty, choice, expect):
    stream = io.StringIO()
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    assert detect_color_mode(color_hints(env), stream, choice) is expect


def test_twitchs_error_messages_are_sanitized_before_they_can_reach_a_terminal():
    from focuslib.net.client import Response

    resp = Response(400, {}, b'{"error": "Bad Request", "message": "\\u001b]0;x\\u0007\\u001b[2Jinvalid \\u202ething"}')
    assert resp.message() == "invalid thing"
    assert len(Response(400, {}, ('{"message": "%s"}' % ("a" * 5000)).encode()).message()) == 300


def test_the_warm_up_loads_what_the_first_emoji_needs():
    """setup.warm_up (after start-up, before chat) loads wcwidth: the first emoji in a raid must not pay for the
    import (~10 ms) and its memory does not count as chat's.  A fresh interpreter, so nothing loaded it before."""
    script = """if True:
        import sys, types
        from focuslib.runtime import setup
        assert "wcwidth" not in sys.modules
        app = types.SimpleNamespace(parser=types.SimpleNamespace(load=lambda: None), presenter=None)
        setup.warm_up(app)
        assert "wcwidth" in sys.modules
    """
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_braille_blank_is_kept_it_takes_a_column_and_braille_art_needs_it() -> None:
    art = "\u28ff\u2800\u2800\u28ff \u2800\u28c0\u2800"
    assert sanitize(art) == art
    from focuslib.text import display_name

    assert display_name("\u2800\u2800 \u2800", "real_login") == "real_login"  # a name of blanks only: the login
    assert display_name("\u2800Braille\u2800Fan", "braille_fan") == "\u2800Braille\u2800Fan"
