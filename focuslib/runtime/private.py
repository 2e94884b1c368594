"""Where a long or private answer goes: the devlog's notes, an overlay over the chat, or today's lines.

The terminal focus runs in is on stream; the devlog terminal (`focus devlog`) is not.  An answer the
streamer asked for (/help, /history, /questions, /links, the scope report) or a text that must stay off
stream (what the hold queue or AutoMod holds) is handed to `Private`, which sends it:

* with a devlog reader attached now: to the devlog, as a note record (`devlog.py --notes` shows only
  those), and the desk says so in one line;
* in screen mode without a reader: to `overlay(title, lines)`, the private overlay over the chat pane
  that Esc closes -- on stream, and the desk says that too;
* in line mode (no overlay: a pipe, `--lines`): printed exactly as focus always printed it, and added to
  the devlog as a note besides, so the private terminal has it too.

A held text never goes to the terminal, whatever the mode (`held`, `automod`): only to the devlog.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Iterable

from focuslib.devlog.pipe import DevlogWriter, note_record
from focuslib.twitch.events_moderation import AutoModHold

if TYPE_CHECKING:
    from focuslib.twitch.automod import HeldMessages

Overlay = Callable[[str, list[str]], None]  # (title, lines): the screen's private overlay (Esc closes it)
Desk = Callable[[str], None]  # one line in the desk's result row


class Private:
    """Routes private answers (any thread: the devlog writer's `put` and the screen's calls are thread-safe).

    `devlog` is the running DevlogWriter (or the NullDevlog of --no-devlog: nothing is ever attached);
    `overlay` and `desk` are screen mode's (None in line mode); `automod` is the number table AutoMod's
    held lines show (`#3`), so a note names the same number `/allow 3` takes."""

    def __init__(self, devlog: Any, *, overlay: Overlay | None = None, desk: Desk | None = None,
                 automod: HeldMessages | None = None, wall: Callable[[], float] = time.time) -> None:
        self.devlog = devlog
        self.overlay = overlay
        self.desk = desk
        self.automod = automod
        self.wall = wall
        self._on = isinstance(devlog, DevlogWriter)  # not the NullDevlog of --no-devlog: no notes anywhere

    def attached(self) -> bool:
        """A devlog reader is attached now: private answers can go there."""
        return self._on and self.devlog.reader_attached()

    def note(self, title: str, lines: Iterable[str], command: str = "", **fields: Any) -> bool:
        """Add a note to the devlog (read whenever a reader comes); False with the devlog off."""
        if not self._on:
            return False
        self.devlog.put(note_record(self.wall(), title, lines, command, **fields))
        return True

    def answer(self, title: str, lines: list[str], printed: Callable[[list[str]], None] | None = None) -> str:
        """Send a long or private answer where it is private if it can be; the desk's line saying where it
        went ("" in line mode, where the lines themselves are printed by `printed`, as always)."""
        if self.overlay is None:  # line mode: the terminal's output stays what it always was
            if printed is not None:
                printed(lines)
            self.note(title, lines)
            return ""
        if self.attached() and self.note(title, lines):
            where = f"{title}: in the devlog's notes"
        else:
            self.overlay(title, lines)
            where = f"{title}: shown over the chat, Esc closes (on stream)"
        if self.desk is not None:
            self.desk(where)
        return where

    def error(self, where: str, trace: str) -> None:
        """The details of an error whose one line on screen says "details in the devlog": the exception and
        the frame it came from (the whole traceback is the error record's, beside it in the firehose)."""
        lines = [line for line in trace.rstrip().splitlines() if line.strip()]
        last = max((k for k, line in enumerate(lines) if line.lstrip().startswith('File "')), default=0)
        self.note(f"error in {where}: {lines[-1].strip() if lines else 'unknown'}", lines[last:])

    def held(self, login: str, name: str, text: str, *, what: str = "", message_id: str = "") -> None:
        """A message the hold queue keeps off stream: its text and the commands that decide, devlog only."""
        about = f" ({what})" if what else ""
        self.note(f"held{about}: {name or login} ({login})", [text] if text else [],
                  f"/release {login} or /ban {login}", login=login, message_id=message_id)

    def saw(self, event: Any) -> None:
        """The main loop showed `event` (its on_show hook): an AutoMod hold's text goes to the notes, with its
        number, never to the stream (whose line has the chatter and the number only)."""
        if type(event) is not AutoModHold or self.automod is None:
            return
        user = event.user
        n = self.automod.hold(event.message_id, user.id, user.login, user.name)
        why = event.category if event.reason == "automod" and event.category else event.reason.replace("_", " ")
        self.note(f"held by AutoMod #{n}: {user.name or user.login} ({user.login})" + (f", {why}" if why else ""),
                  [event.text], f"/allow {n} or /deny {n}", login=user.login, message_id=event.message_id)



def scope_warnings(hidden: list[str], off: int, partly: int, private: Private, *, brief: bool) -> list[str]:
    """The start-up lines for what the token's scopes leave off (`hidden`: a line per group and scope; `off`
    and `partly`: how many event groups are wholly and partly off).  On a terminal (on stream, `brief`) one
    line, the details in the devlog's notes and `focus doctor`; on a pipe the lines as always (and the note)."""
    if not hidden:
        return []
    private.note("scopes: what the token leaves off", hidden, "make auth (make doctor lists each scope)")
    if not brief:
        return hidden
    n = off + partly
    what = "off" if not partly else "partly off" if not off else "off or partly off"
    return [f"{n} event group{'s are' if n != 1 else ' is'} {what} for missing scopes: make doctor"]
