"""`python -m focuslib.sim`: run the simulated Twitch, or play moments on a running one.

  python -m focuslib.sim serve [--port 8080 --http-port 8081]   a standalone simulator
  python -m focuslib.sim trigger                                the moments there are, one line each
  python -m focuslib.sim trigger follow [--count 5]             fire one at `make demo`
  python -m focuslib.sim chat NAME TEXT                         post a chat line as NAME (make chat)
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Sequence

STANDALONE = "sim.json"  # where `serve` says it listens (a demo's marker is playground.MARKER)


def main(argv: Sequence[str] | None = None) -> int:
    from focuslib.config import load_settings
    from focuslib.errors import FocusError

    parser = argparse.ArgumentParser(prog="python -m focuslib.sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run a standalone simulated Twitch")
    serve.add_argument("--port", type=int, default=8080, help="WebSocket port (default 8080)")
    serve.add_argument("--http-port", type=int, default=8081, help="HTTP port (default 8081)")
    serve.add_argument("--demo", action="store_true", help="also play the demo channel")
    trig = sub.add_parser("trigger", help="fire a moment at the simulator `make demo` started (none: the list)")
    trig.add_argument("event", nargs="?")
    trig.add_argument("--count", type=int, default=1)
    chat = sub.add_parser("chat", help="post a chat line into `make demo` as any chatter")
    chat.add_argument("user", help="the chatter's name (any text: long names and escapes are welcome)")
    chat.add_argument("text", help="the message")
    args = parser.parse_args(argv)
    try:
        runtime = load_settings(playground=False).runtime_dir
    except FocusError as exc:  # a broken setting (.env, the environment): what to do, never a traceback
        print(f"{args.command}: {exc}", file=sys.stderr)
        return int(exc.exit_status)
    if args.command == "serve":
        return _serve(args, runtime / STANDALONE)
    if args.command == "trigger" and not args.event:
        try:
            print(events_list())
            sys.stdout.flush()  # here, where its failure is caught, not at exit
        except BrokenPipeError:  # make trigger | head
            sys.stdout = None  # type: ignore[assignment]  (no flush at exit: its reader is gone)
        except OSError as exc:  # make trigger > /dev/full: one line, as focus.py's (cli/exits.py)
            sys.stdout = None  # type: ignore[assignment]
            print(f"trigger: stdout could not take the output ({exc.strerror})", file=sys.stderr)
            return 1
        return 0
    base = simulator(runtime)
    if base is None:
        print("no simulator is running: start `make demo` first", file=sys.stderr)
        return 1
    if args.command == "chat":
        return _post(base + "/sim/chat", {"user": args.user, "text": args.text}, "chat")
    from .trigger_notes import CONTROLS
    from .triggers import TRIGGERS

    if args.event in CONTROLS:
        return _post(base + CONTROLS[args.event][0], {}, args.event)
    if args.event.startswith("close-") and args.event[6:].isdigit():
        return _post(f"{base}/sim/close?code={args.event[6:]}", {}, args.event)
    if args.event.startswith("viewers-") and args.event[8:].isdigit():
        return _post(f"{base}/sim/viewers?count={args.event[8:]}", {}, args.event)
    if args.event in TRIGGERS:
        return _post(base + "/sim/trigger", {"event": args.event, "count": args.count}, args.event)
    print(f"unknown event {args.event!r}; `make trigger` lists them", file=sys.stderr)
    return 2


def events_list() -> str:
    """Every moment and control, with what it plays."""
    from .trigger_notes import CLOSE, CONTROLS, NOTES, VIEWERS

    rows = list(NOTES.items()) + [(name, note) for name, (_, note) in CONTROLS.items()] + [CLOSE, VIEWERS]
    width = max(len(name) for name, _ in rows) + 2
    return ("make trigger EVENT=name [ARGS=--count=N] plays one at a running demo; make chat USER=name MSG=... "
            "posts a chat line\n" + "\n".join(f"  {name:<{width}}{note}" for name, note in rows))


def simulator(runtime: Path) -> str | None:
    """The base URL of the running demo's simulator, else of `serve`'s, else None."""
    from focuslib.playground import running_demo

    demo = running_demo(runtime)
    if demo is not None:
        return demo.http
    try:
        return str(json.loads((runtime / STANDALONE).read_text())["http"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _post(url: str, body: dict[str, object], what: str) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            print(f"{what}: {resp.read().decode()}")
    except urllib.error.HTTPError as exc:
        print(f"{what}: the simulator said {exc.code}: {exc.read().decode(errors='replace')[:200]}", file=sys.stderr)
        return 2
    except (urllib.error.URLError, OSError) as exc:
        print(f"the simulator did not answer ({exc}); is `make demo` still running?", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace, marker: Path) -> int:
    from focuslib.config import ensure_private_dir
    from .demo import DemoChannel
    from .server import SimTwitch

    sim = SimTwitch(ws_port=args.port, http_port=args.http_port).start()
    grant = sim.issue_token()
    channel = DemoChannel(sim).start() if args.demo else None
    ensure_private_dir(marker.parent)
    marker.write_text(json.dumps({"http": sim.http_base}))
    print("simulated Twitch running; point focus at it with:")
    for key, value in sim.env().items():
        print(f"  export {key}={value}")
    print(f"  export TWITCH_USER_ACCESS_TOKEN={grant.access_token}   # a simulator token, not a real one")
    print("Ctrl-C to stop.")
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        if channel:
            channel.stop()
        sim.stop()
        marker.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
