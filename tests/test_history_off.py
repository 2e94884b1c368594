"""With the history off (FOCUS_HISTORY=off), focus.py never loads the store or sqlite3 (~2 MiB of memory),
and --hold-new says in one line that it cannot hold anyone.  A real focus.py against the simulated Twitch."""

from __future__ import annotations

from test_inputline import focus_with_pipes


def test_history_off_loads_no_store_and_the_hold_queue_says_it_needs_the_history(env, sim) -> None:
    out, modules = focus_with_pipes({**env, "FOCUS_HISTORY": "off"}, sim, stdin_tty=False, args=("--hold-new",))
    assert "the hold queue needs history, which is off: nobody is held" in out
    assert "Pixel_Otter: still reading after the end of input" in out  # not held: there is no hold queue
    loaded = modules.split()
    assert "sqlite3" not in loaded and not any(name.startswith("focuslib.store") for name in loaded)
