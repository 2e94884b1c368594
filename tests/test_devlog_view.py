"""devlog.py's view of records: filters, and nothing from Twitch reaches its terminal as an escape."""

from __future__ import annotations

import io
import json
import re

from focuslib.cli import devlog

EVIL = "\x1b]0;pwned\x07\x1b[2J\u202e"


def _printer(**kw) -> tuple[devlog.Printer, io.StringIO]:
    out = io.StringIO()
    opts = {"color": True, "raw": False, "no_keepalive": False, "types": []}
    opts.update(kw)
    return devlog.Printer(out, **opts), out


def _frame(stype: str, text: str) -> str:
    return json.dumps({"kind": "frame", "ts": 1.5, "conn": 1, "frame": {
        "metadata": {"message_type": "notification", "subscription_type": stype},
        "payload": {"event": {"text": text}}}}, ensure_ascii=False)


def test_names_in_the_header_and_text_in_the_body_are_escaped_in_every_mode():
    for kw in ({}, {"raw": True}, {"color": False}):
        printer, out = _printer(**kw)
        printer.line(_frame(EVIL, EVIL))
        shown = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # devlog's own colors
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "\\u001b" in shown  # still there to debug, as an escape


def test_filters_by_kind_message_and_subscription_type():
    printer, out = _printer(types=["channel.follow"], color=False)
    printer.line(_frame("channel.chat.message", "no"))
    printer.line(_frame("channel.follow", "yes"))
    assert "yes" in out.getvalue() and "no" not in out.getvalue().replace("notification", "")
    printer, out = _printer(no_keepalive=True, color=False)
    printer.line(json.dumps({"kind": "frame", "ts": 1.0, "frame": {"metadata": {"message_type": "session_keepalive"}}}))
    assert out.getvalue() == ""


def _deep(levels: int) -> str:
    return '{"kind":"frame","ts":1.0,"conn":1,"frame":' + '{"a":[' * levels + '1' + ']}' * levels + '}'


def test_a_frame_nested_a_thousand_levels_is_summarized_in_one_line_in_every_mode():
    orjson = __import__("orjson")
    for levels in (480, 1000):  # 480: json.loads takes it, the indented layout does not; 1000: neither
        text = _deep(levels)
        if levels < 500:
            assert orjson.loads(text)  # focus's parser accepts it, so it reaches the devlog as a frame
        for kw in ({}, {"raw": True}, {"color": False}):
            printer, out = _printer(**kw)
            printer.line(text)
            shown = out.getvalue()
            assert shown.count("\n") == 1, (levels, kw, shown[:200])
            if not kw.get("raw"):
                assert f"nested {2 * levels + 1} levels deep" in shown and len(shown) < 400
            else:
                assert shown.startswith('{"kind":"frame"')


def test_max_depth_skips_brackets_inside_strings():
    assert devlog.max_depth('{"a":"[[[{{","b":[{"c":"\\"]"}]}') == 3
