"""With the history off (FOCUS_HISTORY=off), focus.py never loads the store or sqlite3 (~2 MiB of memory),
and --hold-new says in one line that it cannot hold anyone.  A real focus.py against the simulated Twitch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import N_SUBS, ROOT, t
from focuslib.sim import payloads

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")


def test_history_off_loads_no_store_and_the_hold_queue_says_it_needs_the_history(env, sim) -> None:
    marker = Path(env["HOME"]) / "modules.txt"
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write(' '.join(sorted(sys.modules))))\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            f"sys.argv = [{str(ROOT / 'focus.py')!r}, '--no-devlog', '--no-timestamps', '--hold-new']\n"
            "runpy.run_path(sys.argv[0], run_name='__main__')\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**clean, **env, "FOCUS_HISTORY": "off"}, cwd=ROOT / "tests")
    try:
        sim.wait_subscribed(N_SUBS, t(20))
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, "a first message, shown"))
        lines: list[str] = []
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw.decode())
            if "a first message" in lines[-1]:
                break
        proc.terminate()
        out, err = proc.communicate(timeout=t(10))
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(lines) + out.decode()
    assert "the hold queue needs history, which is off: nobody is held" in text
    assert "Pixel_Otter: a first message, shown" in text  # not held: there is no hold queue
    modules = marker.read_text().split()
    assert "sqlite3" not in modules and not any(m.startswith("focuslib.store") for m in modules)
