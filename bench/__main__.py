"""`make bench` (python -m bench): focus, the floor and the peers (pyTwitchAPI, twurple) measured in one run.

Phases (all by default, in this order; pick with --only):
  startup  process spawn -> chat subscription created, median of --startup-runs
  burst    --messages chat notifications as fast as the socket takes them (msg/s)
  latency  steady --rates msg/s, --latency-seconds per client and rate in --latency-rounds
           interleaved turns: frame sent -> line read, p50/p99/max
  long     RSS before and after --long-messages (focus and the floor)
  idle     CPU over --idle-seconds connected with keepalives only (all clients at once,
           focus also with a devlog reader attached)
  input    focus with its input line (stdin and stdout a pseudo-terminal) beside display-only focus:
           burst, latency at 500 msg/s, and keystroke-to-echo while 500 msg/s flow (bench/ptyinput.py)
  screen   screen mode (the full-screen app) in a pseudo-terminal beside line mode: burst, latency at
           500 msg/s to the line on screen, keystroke-to-echo, idle CPU, RSS after the long run
           (bench/screenphase.py)
  devlog   devlog.py's own rate: records/s it prints, pretty and --raw (bench/devlog_rate.py)
  profile  (only when asked) one burst of focus and of the floor under py-spy; prints
           where the time goes and keeps the collapsed stacks in bench/results/

The simulated Twitch runs in a process of its own; focus runs as `focus.py
--color always` with its stdout a pipe and its devlog writer on with no reader.
The peers run where they are installed (`make bench` installs both): pyTwitchAPI from bench/.venv,
twurple (Node.js) from bench/twurple/node_modules; a peer that is missing is left out with a note.
Results go to bench/results/latest.json (and .md); the tables are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from . import devlog_rate, measure, procstat, profile, ptyinput, report, screenphase
from .clients import BenchError, Kind, floor_kind, focus_kind, peer_kind, twurple_kind, twurple_missing
from .measure import Config
from .screenphase import PARTS as SCREEN_PARTS
from .screenphase import parts as screen_parts
from .simctl import ROOT, SimError, SimProc

PHASES = ("startup", "burst", "latency", "long", "idle", "input", "screen", "devlog")
BENCH_VENV = ROOT / "bench" / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="make bench ARGS=...", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=20_000, help="burst size (default 20000)")
    p.add_argument("--burst-runs", type=int, default=7, help="bursts per client, median reported (default 7)")
    p.add_argument("--rates", default="50,500", help="steady rates for the latency runs (default 50,500)")
    p.add_argument("--latency-seconds", type=float, default=15.0,
                   help="seconds of steady traffic per client and rate (default 15)")
    p.add_argument("--latency-rounds", type=int, default=5,
                   help="the latency seconds are split into this many interleaved turns (default 5)")
    p.add_argument("--idle-seconds", type=float, default=120.0, help="idle measurement interval (default 120)")
    p.add_argument("--long-messages", type=int, default=1_000_000, help="long-run length (default 1000000)")
    p.add_argument("--startup-runs", type=int, default=9, help="start-ups per client (default 9)")
    p.add_argument("--history-runs", type=int, default=5,
                   help="`focus.py history` runs timed after each long run, median reported (default 5)")
    p.add_argument("--screen-beside", default=",".join(SCREEN_PARTS), type=screen_parts, metavar="PARTS",
                   help="the screen phase's parts that measure line mode beside screen mode (default all: "
                        f"{','.join(SCREEN_PARTS)}); the others measure screen mode alone")
    p.add_argument("--screen-alone", action="store_const", const=(), dest="screen_beside",
                   help="line mode beside screen mode in no part (--screen-beside '')")
    p.add_argument("--profile-messages", type=int, default=100_000, help="burst size under py-spy (default 100000)")
    p.add_argument("--only", default=",".join(PHASES), help=f"comma-separated phases (default {','.join(PHASES)};"
                   " 'profile' is extra)")
    p.add_argument("--quick", action="store_true", help="tiny numbers, for trying the harness (~30 s)")
    p.add_argument("--no-peer", action="store_true", help="leave the peers out (pyTwitchAPI and twurple)")
    p.add_argument("--peer-python", default=str(BENCH_VENV / "python"),
                   help="the Python that has twitchAPI installed (default bench/.venv)")
    p.add_argument("--sim-send", choices=("raw", "ws"), default="raw",
                   help="how the simulator writes bursts: pre-framed bytes in one sendall (default) or "
                        "websockets' send() per frame")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json", help="where the JSON goes")
    p.add_argument("--settle", type=float, default=measure.SETTLE,
                   help=f"seconds a started client settles before a phase measures it (default {measure.SETTLE:g}; "
                        "the idle phase waits 4x)")
    args = p.parse_args(argv)
    if args.quick:
        args.messages, args.latency_seconds, args.latency_rounds, args.idle_seconds = 2_000, 2.0, 2, 3.0
        args.long_messages, args.startup_runs, args.burst_runs = 20_000, 2, 2
    return args


def config(args: argparse.Namespace) -> Config:
    return Config(messages=args.messages, burst_runs=args.burst_runs,
                  rates=tuple(int(x) for x in args.rates.split(",") if x),
                  latency_seconds=args.latency_seconds, latency_rounds=args.latency_rounds,
                  idle_seconds=args.idle_seconds, long_messages=args.long_messages,
                  startup_runs=args.startup_runs, raw=args.sim_send == "raw", profile_messages=args.profile_messages,
                  settle=args.settle, history_runs=args.history_runs,
                  screen_beside=args.screen_beside)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    cfg = config(args)
    phases = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(phases) - set(PHASES) - {"profile"}
    if unknown:
        raise BenchError(f"unknown phase(s) {', '.join(sorted(unknown))}; choose from {', '.join(PHASES)}, profile")
    kinds: list[Kind] = [focus_kind(), floor_kind()]
    peer = None if args.no_peer else args.peer_python
    if peer and not Path(peer).exists():
        raise BenchError(f"{peer} does not exist: run `make bench` (it installs bench/requirements.txt), "
                         "or pass --no-peer")
    if peer:
        kinds.append(peer_kind(peer))
    if not args.no_peer:  # the Node.js peer, where node and its install are here; else a note, and on without it
        node = shutil.which("node")
        missing = twurple_missing(node)
        if missing:
            print(f"bench: twurple left out: {missing}", file=sys.stderr)
        else:
            kinds.append(twurple_kind(node or "node"))
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "command": "make bench" + (f" ARGS={shlex.quote(shlex.join(sys.argv[1:]))}" if sys.argv[1:] else ""),
        "machine": procstat.machine(),
        "load_average": {"before": procstat.load_average()},
        "config": {**cfg.__dict__, "rates": list(cfg.rates), "clients": [k.name for k in kinds]},
    }
    noise: dict[str, float] = {}
    results["noise_other_cores"] = noise
    with SimProc(workdir / "sim-stderr.txt") as sim:
        meter = procstat.Noise(sim.pid)
        for phase in phases:
            print(f"bench: {phase}...", file=sys.stderr, flush=True)
            meter.other_cores()
            if phase == "startup":
                results["startup"] = measure.startup(kinds, sim, workdir, cfg)
            elif phase == "idle":
                results["idle"] = measure.idle(kinds, sim, workdir, cfg)
            elif phase == "long":
                results["long"] = {k.name: measure.long_run(k, sim, workdir, cfg) for k in kinds[:2]}
            elif phase == "burst":
                results["burst"] = measure.burst(kinds, sim, workdir, cfg)
            elif phase == "latency":
                results["latency"] = measure.latency(kinds, sim, workdir, cfg)
            elif phase == "input":
                results["input"] = ptyinput.run(sim, workdir, cfg)
            elif phase == "screen":
                results["screen"] = screenphase.run(sim, workdir, cfg)
            elif phase == "devlog":
                results["devlog"] = devlog_rate.run(min(args.messages, 20_000))
            elif phase == "profile":
                results["profile"] = profile.run(kinds[:2], sim, workdir, cfg, BENCH_VENV / "py-spy",
                                                 args.output.parent)
            noise[phase] = round(meter.other_cores(), 3)
    results["load_average"]["after"] = procstat.load_average()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="focus-bench-") as tmp:
            results = run(args, Path(tmp))
    except (BenchError, SimError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    text = report.table(results)
    args.output.with_suffix(".md").write_text(text)
    if "profile" in results:
        print(profile.summary(results["profile"]))
    print(text)
    print(f"(written to {args.output} and {args.output.with_suffix('.md')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
