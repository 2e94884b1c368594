"""Screen mode with a prompt_toolkit that lacks the private fields focus reads (screen/frames.py and app.py:
Renderer._last_screen and _last_size, Application._redraw and _on_resize), in a real pseudo-terminal: a later
prompt_toolkit may rename them, and the fallbacks (every pane row written each frame, a key drawn at the next
coalesced redraw, a resize drawn by invalidate) must draw the same screen.  The names are taken out of
prompt_toolkit's own source in the child process (renamed where prompt_toolkit uses them), never mocked here."""

from __future__ import annotations

from pathlib import Path

from focuslib.sim import payloads_chat

from conftest import N_SUBS, ROOT, t
from ptyterm import PtyFocus
from test_screen_mode import CTRL_C, ENTER_ALT, HERON, LEAVE_ALT, OTTER, desk, in_pane, pane, say

WITHOUT = """
import importlib.machinery
import re
import sys

sys.path.insert(0, {root!r})
RENAMED = {{  # prompt_toolkit's module: its private names, renamed wherever it uses them
    "prompt_toolkit.renderer": ("_last_screen", "_last_size"),
    "prompt_toolkit.application.application": ("_redraw", "_on_resize"),
    "prompt_toolkit.application.run_in_terminal": ("_redraw",),
}}


class Renamed(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname):  # from the source, renamed (never the cached bytecode)
        source = self.get_data(self.path).decode()
        for name in RENAMED[fullname]:
            source = re.sub(rf"\\b{{name}}\\b", name + "_elsewhere", source)
        return compile(source, self.path, "exec")


class Finder:
    def find_spec(self, fullname, path, target=None):
        if fullname not in RENAMED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        spec.loader = Renamed(fullname, spec.origin)
        return spec


sys.meta_path.insert(0, Finder())
from prompt_toolkit.application import Application
from prompt_toolkit.renderer import Renderer

assert not hasattr(Application, "_redraw") and not hasattr(Application, "_on_resize")
assert "_last_screen" not in Renderer.reset.__code__.co_names and "_last_size" not in Renderer.reset.__code__.co_names
from focuslib.cli.exits import finish
from focuslib.cli.focus import main

sys.exit(finish("focus", main))
"""


def test_without_prompt_toolkits_private_fields_the_screen_is_drawn_the_same(env, sim, tmp_path: Path) -> None:
    script = tmp_path / "without_private_fields.py"
    script.write_text(WITHOUT.format(root=str(ROOT)))
    focus = PtyFocus(env, ["--no-timestamps", "--no-devlog"], rows=20, screen=True, script=script)
    try:
        focus.wait_text("connected", t(20))
        sim.wait_subscribed(N_SUBS)
        say(sim, OTTER, "BUY CHEAP FOLLOWERS", "spam-1")
        for n in range(30):  # the pane scrolls
            say(sim, HERON, f"line {n}")
        focus.wait_for(lambda: in_pane(focus, "line 29"), what="chat")
        focus.send("\x1b[5~")  # PgUp: the spam comes into view
        focus.wait_for(lambda: in_pane(focus, "BUY CHEAP"), what="the view scrolled back")
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, "spam-1"))
        focus.wait_for(lambda: not in_pane(focus, "BUY CHEAP") and in_pane(focus, "‹removed by a moderator›"),
                       what="the deleted message taken back")
        focus.send("\x1b[4~")  # End
        focus.wait_for(lambda: in_pane(focus, "line 29"), what="the newest lines")
        focus.send("a draft")  # drawn at the next coalesced redraw
        focus.wait_for(lambda: "a draft" in desk(focus)[0], what="the typed keys")
        focus.resize(14, 40)
        focus.wait_for(lambda: len(focus.rows()) == 14 and "a draft" in desk(focus)[0] and in_pane(focus, "line 29"),
                       what="the screen at the new size")
        rows = pane(focus)
        assert rows[-1].rstrip().endswith("line 29") and not any("a draft" in row for row in rows)
        assert focus.screen.top_text == type(focus.screen.top_text)()  # nothing of chat in the scrollback
        focus.send(CTRL_C + CTRL_C)  # the draft, then focus
        assert focus.exit_code(t(5)) == 0
        raw = bytes(focus.raw)
        assert raw.rfind(LEAVE_ALT) > raw.rfind(ENTER_ALT) > 0
    finally:
        focus.close()
