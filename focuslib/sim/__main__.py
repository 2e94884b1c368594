"""`python -m focuslib.sim`: run the simulated Twitch, or trigger events on a running one.

  python -m focuslib.sim serve [--port 8080 --http-port 8081]   a standalone simulator
  python -m focuslib.sim trigger follow [--count 5]             fire events at `make demo`
  python -m focuslib.sim trigger reconnect|drop|close-4005|revoke-follow|silence
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import urllib.error
import urllib.request
from typing import Sequence

CONTROLS = {"reconnect": "/sim/reconnect", "drop": "/sim/drop", "silence": "/sim/silence?on=1",
            "resume": "/sim/silence?on=0", "revoke-follow": "/sim/revoke?type=channel.follow"}


def main(argv: Sequence[str] | None = None) -> int:
    from focuslib.config import load_settings
    from .triggers import TRIGGERS

    events = sorted(TRIGGERS) + sorted(CONTROLS) + ["close-4000 ... close-4007"]
    parser = argparse.ArgumentParser(prog="python -m focuslib.sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run a standalone simulated Twitch")
    serve.add_argument("--port", type=int, default=8080, help="WebSocket port (default 8080)")
    serve.add_argument("--http-port", type=int, default=8081, help="HTTP port (default 8081)")
    serve.add_argument("--demo", action="store_true", help="also play the demo channel")
    trig = sub.add_parser("trigger", help="fire an event at the simulator `make demo` started",
                          epilog="events: " + ", ".join(events))
    trig.add_argument("event")
    trig.add_argument("--count", type=int, default=1)
    args = parser.parse_args(argv)
    settings = load_settings()
    marker = settings.runtime_dir / "sim.json"
    if args.command == "serve":
        return _serve(args, marker)
    try:
        base = json.loads(marker.read_text())["http"]
    except (OSError, ValueError, KeyError):
        print("no simulator is running: start `make demo` first", file=sys.stderr)
        return 1
    if args.event in CONTROLS:
        url, body = base + CONTROLS[args.event], b"{}"
    elif args.event.startswith("close-") and args.event[6:].isdigit():
        url, body = f"{base}/sim/close?code={args.event[6:]}", b"{}"
    elif args.event in TRIGGERS:
        url, body = base + "/sim/trigger", json.dumps({"event": args.event, "count": args.count}).encode()
    else:
        print(f"unknown event {args.event!r}; try one of: {', '.join(events)}", file=sys.stderr)
        return 2
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            print(f"{args.event}: {resp.read().decode()}")
    except (urllib.error.URLError, OSError) as exc:
        print(f"the simulator did not answer ({exc}); is `make demo` still running?", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace, marker) -> int:  # type: ignore[no-untyped-def]
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
