"""The chat-memory examples of docs/memory.md, from real runs: `.venv/bin/python tests/readme_memory.py`.

focus.py (a real process) against the simulated Twitch on 127.0.0.1, in a throwaway data directory:
a first scripted stream lets the history learn the regulars, a second one (with --hold-new) has
questions, links, a spam bot the hold queue keeps off stream, a deleted message and a timeout, a
follow, a sub, a cheer, a power-up and a raid.  Then the shell commands run against that history.  Prints what
focus showed for the hold queue, the recap focus printed when it stopped, and each command with its
output -- the blocks docs/memory.md shows (tests/test_readme_memory.py keeps them current).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from focuslib.sim import SimTwitch  # noqa: E402
from focuslib.sim import payloads  # noqa: E402
from focuslib.sim import payloads_chat  # noqa: E402
from focuslib.sim import triggers  # noqa: E402
from focuslib.twitch.subscriptions import desired  # noqa: E402

N_SUBS = len(desired("1", "1"))
SPAMMER = ("81239901", "cheap_viewers_4u", "cheap_viewers_4u")
BOT = ("81239902", "f0llow_b0t_77", "f0llow_b0t_77")
COMMANDS = [("history", "cheap_viewers_4u"), ("history", "pixel_otter"), ("questions",), ("links",)]


class Run:
    """One focus.py process; its stdout collected line by line."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.p = subprocess.Popen([sys.executable, "focus.py", "--no-devlog", "--color", "never", "--no-timestamps",
                                   *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True)
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait(self, needle: str, timeout: float = 30.0) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: any(needle in line for line in self.lines), timeout):
                raise SystemExit(f"focus never showed {needle!r}:\n" + "\n".join(self.lines[-20:]))

    def stop(self) -> None:
        self.p.send_signal(signal.SIGINT)
        if self.p.wait(30) != 0:
            raise SystemExit(f"focus exited with {self.p.returncode}")
        self.pump.join(10)


def play(sim: SimTwitch, frames: triggers.Frames) -> None:
    for stype, payload in frames:
        sim.notify(stype, payload)


def main() -> int:
    with SimTwitch(ping_interval=None, wait_timeout=30) as sim, tempfile.TemporaryDirectory() as tmp:
        grant = sim.issue_token()
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
        env = {**clean, **sim.env(grant.access_token), "TWITCH_REFRESH_TOKEN": grant.refresh_token,
               "TWITCH_SECRET": "sim-client-secret-value", "FOCUS_DATA_DIR": f"{tmp}/data",
               "XDG_RUNTIME_DIR": f"{tmp}/run", "HOME": tmp, "PYTHONUNBUFFERED": "1"}

        first = Run(env)  # last week's stream: the history learns the regulars
        sim.wait_subscribed(N_SUBS, timeout=30)
        play(sim, triggers.say(triggers.OTTER, "good morning chat"))
        play(sim, triggers.say(triggers.HERON, "o/"))
        play(sim, triggers.say(triggers.KATZE, "Kaffee ist fertig"))
        play(sim, triggers.say(triggers.MOSS, "modding today"))
        first.wait("Mossy_Lantern: modding today")
        first.stop()

        focus = Run(env, "--hold-new")
        sim.wait_subscribed(N_SUBS, timeout=30)
        play(sim, triggers.say(triggers.OTTER, "hey @DeskFox what are we building today? HeyGuys"))
        play(sim, triggers.say(triggers.HERON, "@DeskFox is that the new borrow checker error?"))
        play(sim, triggers.say(triggers.KATZE, "!q what keyboard is that?"))
        play(sim, triggers.say(triggers.MOSS,
                               "the chapter: https://doc.rust-lang.org/book/ch04-02-references-and-borrowing.html"))
        play(sim, triggers.say(BOT, "get 500 followers now at cheap-viewers.example"))
        play(sim, triggers.say(BOT, "only today!!"))
        spam = payloads.new_id()
        play(sim, triggers.say(SPAMMER, "best viewers at cheap-viewers.example, 50% off today!!", message_id=spam))
        play(sim, [("channel.chat.message_delete", payloads_chat.message_delete(SPAMMER, spam))])
        play(sim, triggers.ban(SPAMMER, 10, "spam links"))
        play(sim, [("channel.follow", payloads.follow(triggers.TINY))])
        play(sim, triggers.sub(triggers.KETTLE))
        play(sim, triggers.cheer(triggers.HERON, 100, "for the borrow checker"))
        play(sim, triggers.power_up(triggers.KATZE, 50, "celebration"))
        play(sim, triggers.raid(triggers.FRIEND, 42))
        play(sim, triggers.say(triggers.OTTER, "back for more"))
        play(sim, triggers.say(triggers.OTTER, "my config is on www.github.com/pixel-otter/dotfiles"))
        focus.wait("Pixel_Otter: my config is on")
        focus.wait("held: new chatter f0llow_b0t_77 (2 messages)")
        focus.stop()
        held = [line for line in focus.lines if line.startswith(f"· held: new chatter {BOT[2]} (2 messages)")]
        recap = focus.lines[next(i for i, line in enumerate(focus.lines) if line.startswith("recap ")):]

        print("\n".join(held[-1:]))
        print()
        print("\n".join(recap))
        for args in COMMANDS:
            res = subprocess.run([sys.executable, "focus.py", *args], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=60)
            if res.returncode:
                raise SystemExit(f"focus.py {' '.join(args)}: {res.stderr}")
            print()
            print(f"$ python focus.py {' '.join(args)}")
            print(res.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
