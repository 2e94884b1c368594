"""/shield: one command for a hate raid, and /shield off to put everything back as it was.

`/shield` (and `focus.py shield on`, `make shield`) takes three steps, each
answered by one line, each on its own (a step that fails says which and why --
a missing scope names it and `make auth` -- and leaves the others on):
1. Twitch's Shield Mode (PUT /moderation/shield_mode, moderator:manage:shield_mode);
2. followers-only chat for FOCUS_SHIELD_FOLLOW_MINUTES (default 10), after the
   chat settings in force were saved to $FOCUS_DATA_DIR/shield.json (0600);
3. the hold queue for everyone the history or a badge does not know -- follow
   age does not count while shielded (runtime/vetting.py) -- in the running
   focus; a focus running elsewhere does the same when Twitch tells it Shield
   Mode began (channel.shield_mode.begin).
`/shield off` ends Shield Mode, restores exactly the saved chat settings (not
Twitch's defaults: followers-only for 30 minutes before stays 30 minutes) and
puts the hold queue back to what it was.  A second /shield keeps the first
one's saved settings (they are the ones from before the raid) while the first
one's followers-only is still in force; otherwise what is saved is an old
raid's, never ended by /shield off, and the settings now are saved instead.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from focuslib.config import ensure_private_dir, write_private
from focuslib.errors import FocusError
from focuslib.net.chat_api import Outcome, span
from focuslib.settings import FOLLOW_MINUTES

SAVED = "shield.json"
KEPT = ("follower_mode", "follower_mode_duration")  # what /shield changes, so what /shield off restores


@dataclass(frozen=True, slots=True)
class ShieldPlan:
    """What /shield needs besides Twitch: where the settings are saved, the followers-only minutes, and the
    running focus's hold queue (None in a one-shot command: a running focus follows Twitch's Shield Mode)."""

    data_dir: Path | None
    minutes: int = FOLLOW_MINUTES
    hold: Callable[[bool], str] | None = None


def shield(ex: Any, on: bool, plan: ShieldPlan) -> Outcome:
    """Carry out /shield or /shield off with `ex` (runtime/execute.Executor, which imports this module): one
    (done?, line) per step; `ok` only when every step was done."""
    steps = _on(ex, plan) if on else _off(ex, plan)
    return Outcome(all(ok for ok, _ in steps), "\n".join(line for _, line in steps),
                   0 if all(ok for ok, _ in steps) else 1, tuple(steps))


def _on(ex: Any, plan: ShieldPlan) -> list[tuple[bool, str]]:
    # The hold first: it is this focus's own and instant, while each of Twitch's calls can wait (an empty
    # rate-limit bucket, a timeout) -- the raid's text must not reach the stream meanwhile.  Its line comes last.
    hold = _hold(plan, True)
    steps: list[tuple[bool, str]] = []
    saved = _saved(plan)
    now = _call(ex.api.current_settings, "read the chat settings")
    if isinstance(now, Outcome):
        if saved is None:
            steps.append((False, f"{now.text}; /shield off will leave followers-only as it is"))
    elif saved is None or {key: now.get(key) for key in KEPT} != {"follower_mode": True,
                                                                  "follower_mode_duration": plan.minutes}:
        # The settings from before the raid.  Saved ones are kept only while a /shield's followers-only is still in
        # force (a second /shield); else they are an old raid's, ended on Twitch's site and never by /shield off.
        steps.append(_save(plan, {key: now.get(key) for key in KEPT}))
    steps.append(_step(_call(lambda: ex.api.shield_mode(True), "turn Shield Mode on")))
    minutes = plan.minutes
    said = "followers-only chat on" + (f" (following for {span(minutes * 60)})" if minutes else "")
    steps.append(_step(_call(lambda: ex.api.settings({"follower_mode": True, "follower_mode_duration": minutes},
                                                     said), "change the chat settings")))
    steps.append(hold)
    return [step for step in steps if step[1]]


def _call(fn: Callable[[], Any], doing: str) -> Any:
    """One of Twitch's calls as a step: a network failure (a timeout, focus stopping) is that step's line, not the
    end of the command -- the other steps are still taken."""
    try:
        return fn()
    except FocusError as exc:
        return Outcome(False, f"could not {doing}: {exc.message}")


def _off(ex: Any, plan: ShieldPlan) -> list[tuple[bool, str]]:
    steps = [_step(_call(lambda: ex.api.shield_mode(False), "turn Shield Mode off"))]
    saved = _saved(plan)
    if saved is None:
        steps.append((True, "no chat settings saved by /shield: followers-only stays as it is (/followers off "
                            "ends it)"))
    else:
        before = {key: saved.get(key) for key in KEPT}
        followers = bool(before["follower_mode"])
        minutes = before["follower_mode_duration"] if followers else None
        changes: dict[str, Any] = {"follower_mode": followers}
        if followers and isinstance(minutes, int):
            changes["follower_mode_duration"] = minutes
        said = "chat settings restored: followers-only " + (
            "off" if not followers else f"on (following for {span(minutes * 60)})" if minutes else "on")
        outcome = _call(lambda: ex.api.settings(changes, said), "change the chat settings")
        if outcome.ok:
            _forget(plan)
        steps.append(_step(outcome if outcome.ok else Outcome(
            False, f"{outcome.text}; they stay saved, /shield off tries again", outcome.status)))
    steps.append(_hold(plan, False))
    return [step for step in steps if step[1]]


def _step(outcome: Outcome) -> tuple[bool, str]:
    return outcome.ok, outcome.text


def _hold(plan: ShieldPlan, on: bool) -> tuple[bool, str]:
    if plan.hold is None:
        return True, ("a running focus holds every new chatter while Shield Mode is on" if on else "")
    return True, plan.hold(on)


def _path(plan: ShieldPlan) -> Path | None:
    return plan.data_dir / SAVED if plan.data_dir is not None else None


def _saved(plan: ShieldPlan) -> dict[str, Any] | None:
    """The settings a /shield saved: read only from a private directory of ours and a file of ours (another local
    user's shield.json would make /shield off set the chat as they chose)."""
    path = _path(plan)
    if path is None:
        return None
    try:
        ensure_private_dir(path.parent)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except (OSError, FocusError):
        return None
    try:
        st = os.fstat(fd)
        doc = json.loads(os.pread(fd, 65536, 0)) if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() else None
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    return doc if isinstance(doc, dict) and "follower_mode" in doc else None


def _save(plan: ShieldPlan, settings: dict[str, Any]) -> tuple[bool, str]:
    path = _path(plan)
    if path is None:
        return False, "chat settings not saved (no data directory): /shield off will leave followers-only as it is"
    try:
        ensure_private_dir(path.parent)
        write_private(path, json.dumps({**settings, "saved_at": time.time()}).encode())
    except (OSError, FocusError) as exc:
        why = getattr(exc, "strerror", None) or getattr(exc, "message", "") or type(exc).__name__
        return False, f"could not save the chat settings to {path} ({why}): /shield off will leave followers-only"
    return True, ""


def _forget(plan: ShieldPlan) -> None:
    path = _path(plan)
    if path is not None:
        try:
            path.unlink()
        except OSError:
            pass
