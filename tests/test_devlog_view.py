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
