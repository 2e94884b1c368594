"""devlog.py's command line and printer: every raw EventSub frame and lifecycle record focus sees (private terminal)."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from focuslib.cli.exits import Parser
from focuslib.view.layout import paint
from focuslib.view.style import JSON_PARTS, ODD, QUIET, RECORD_KINDS

EPILOG = """\
Reads the pipe focus writes (FOCUS_DEVLOG_PIPE, default: a private per-user
runtime directory), so start it in a second terminal beside `make focus` or
`make demo`; it waits for focus and survives focus restarting.

Notes are what focus keeps off stream for you: /help, /history, /questions,
/links, what the hold queue and AutoMod hold (with the command that decides),
and the scopes the token lacks; --notes shows only those.

examples:
  devlog.py --notes
  devlog.py --no-keepalive
  devlog.py --type notification --type lifecycle
  devlog.py --raw | jq .frame.payload.event
"""



def parse_args(argv: Sequence[str] | None, prog: str = "devlog.py") -> argparse.Namespace:
    parser = Parser(prog=prog, description=__doc__, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return parser.parse_args(argv)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """devlog's options (devlog.py, `focus devlog` and the completion's tree)."""
    parser.add_argument("--no-keepalive", action="store_true", help="hide session_keepalive frames")
    parser.add_argument("--type", action="append", default=[], metavar="TYPE",
                        help="only records of this kind, message type, subscription type or lifecycle event "
                             "(repeatable; e.g. notification, channel.follow, lifecycle, error)")
    parser.add_argument("--notes", action="store_true",
                        help="only the notes: answers and held texts kept off stream (the same as --type note)")
    parser.add_argument("--raw", action="store_true", help="one JSON line per record (for jq)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="color output (default: auto; NO_COLOR wins)")


def record_names(rec: dict[str, Any]) -> list[str]:
    """What the record is, most general first: kind, then message/subscription type or event."""
    names = [str(rec.get("kind", ""))]
    if rec.get("event"):
        names.append(str(rec["event"]))
    frame = rec.get("frame")
    if isinstance(frame, dict):
        meta = frame.get("metadata") if isinstance(frame.get("metadata"), dict) else {}
        names += [str(meta[key]) for key in ("message_type", "subscription_type") if meta.get(key)]
    return names


def is_keepalive(rec: dict[str, Any]) -> bool:
    return "session_keepalive" in record_names(rec)


class Printer:
    """Formats records for a terminal (pretty) or a pipe (--raw)."""

    def __init__(self, out: TextIO, *, color: bool, raw: bool, no_keepalive: bool, types: Iterable[str]) -> None:
        from focuslib.text import escape_unsafe, sanitize

        self.out = out
        self.color = color
        self.raw = raw
        self.no_keepalive = no_keepalive
        self.types = set(types)
        self._escape = escape_unsafe
        self._sanitize = sanitize

    def line(self, text: str) -> None:
        try:
            rec = json.loads(text)
        except ValueError:
            rec = None
        except RecursionError:  # deeper than Python's json goes (focus's orjson takes ~1,000 levels)
            if not self.types:
                self._write(self._escape(text) if self.raw else self._too_deep(text))
            return
        if not isinstance(rec, dict):
            if not self.raw and not self.types:
                self._write(self._paint(ODD, "unparsable line: ") + self._sanitize(text[:2000]))
            return
        if self.no_keepalive and is_keepalive(rec):
            return
        if self.types and not self.types.intersection(record_names(rec)):
            return
        try:
            if self.raw:
                self._write(self._escape(json.dumps(rec, ensure_ascii=False, separators=(",", ":"))))
            else:
                self._write(self.pretty(rec))
        except RecursionError:
            self._write(self._escape(text) if self.raw else self._too_deep(text))

    def _too_deep(self, text: str) -> str:
        """One line for a record nested too deep to lay out: its size, depth and start."""
        depth = max_depth(text)
        head = self._sanitize(text[:120])
        return self._paint(ODD, f"record nested {depth} levels deep ({len(text):,} bytes), shown raw: ") + head + "…"

    def note(self, text: str) -> None:
        if not self.raw:
            self._write(self._paint(QUIET, f"-- {text}"))
            self.flush()

    def pretty(self, rec: dict[str, Any]) -> str:
        kind = str(rec.get("kind", "?"))
        stamp = _clock(rec.get("ts"))
        if kind == "frame" and is_keepalive(rec):
            return self._paint(QUIET, f"{stamp} frame     session_keepalive (conn {rec.get('conn')})")
        if kind == "note" and isinstance(rec.get("lines"), list):  # an answer or a held text: read, not parsed
            title = self._paint(RECORD_KINDS.get(kind, ""), self._sanitize(f"{stamp} note      {rec.get('title', '')}"))
            lines = [title, *("  " + self._sanitize(str(line)) for line in rec["lines"])]
            if rec.get("command"):  # what decides it: /release bob, /allow 3
                lines.append(self._paint(RECORD_KINDS[kind], "  → " + self._sanitize(str(rec["command"]))))
            return "\n".join(lines)
        head = self._escape(f"{stamp} {kind:<9} {' '.join(record_names(rec)[1:])}".rstrip())
        body = {k: v for k, v in rec.items() if k not in ("kind", "ts", "event")}
        trace = body.pop("traceback", None)
        text = self._paint(RECORD_KINDS.get(kind, ""), head) + "\n" + self._json(body)
        if isinstance(trace, str):
            text += "\n" + "\n".join("    " + self._sanitize(x) for x in trace.rstrip().splitlines())
        return text

    def _json(self, doc: Any) -> str:
        lines = json.dumps(doc, indent=2, ensure_ascii=False).splitlines()
        return "\n".join(self._color_json(self._escape(line)) for line in lines)

    def _color_json(self, line: str) -> str:
        if not self.color:
            return line
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith('"') and '": ' in stripped:
            key, _, value = stripped.partition('": ')
            return indent + self._paint(JSON_PARTS["key"], key + '"') + ": " + self._value(value)
        return indent + self._value(stripped)

    def _value(self, value: str) -> str:
        core = value.rstrip(",")
        tail = value[len(core):]
        if core.startswith('"'):
            kind = "string"
        elif core in ("true", "false", "null"):
            kind = "literal"
        elif core[:1].isdigit() or core[:1] == "-":
            kind = "number"
        else:
            return value
        return self._paint(JSON_PARTS[kind], core) + tail

    def _paint(self, params: str, text: str) -> str:
        return paint([(text, params)], self.color)

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")  # flushed once per batch read from the pipe (see main)

    def flush(self) -> None:
        self.out.flush()


def max_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (strings are skipped)."""
    depth = top = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            top = max(top, depth)
        elif ch in "]}":
            depth -= 1
    return top


def _clock(ts: Any) -> str:
    if not isinstance(ts, (int, float)):
        return "--:--:--.---"
    return time.strftime("%H:%M:%S", time.localtime(ts)) + f".{int((ts % 1) * 1000):03d}"


def _lock_reader(path: Path) -> int:
    """One devlog per pipe: a FIFO hands each line to only one of its readers."""
    from focuslib.errors import FocusError

    lock = f"{path}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:  # a directory, a symlink, no permission
        raise FocusError(f"cannot use the devlog lock file {lock}: {exc.strerror or 'unusable'}",
                         "remove it, or set FOCUS_DEVLOG_PIPE to a path of your own") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise FocusError(f"the devlog lock file {lock} is not a file of yours",
                         "remove it, or set FOCUS_DEVLOG_PIPE to a path of your own")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise FocusError(f"another devlog is already reading {path}",
                         "use that one, or close it first (each line goes to only one reader)") from None
    return fd


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None, prog: str = "devlog.py") -> int:
    args = parse_args(argv, prog)
    from focuslib.config import load_settings
    from focuslib.devlog.pipe import ensure_devlog_pipe, read_batches
    from focuslib.errors import ExitStatus, FocusError
    from focuslib.settings import color_hints
    from focuslib.view.colors import ColorMode, detect_color_mode

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        settings = load_settings()
        path = settings.devlog_pipe
        ensure_devlog_pipe(settings)
        lock = _lock_reader(path)  # noqa: F841 - held until exit
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
        color = detect_color_mode(color_hints(settings.env), sys.stdout, args.color) is not ColorMode.NONE
        types = [*args.type, "note"] if args.notes else args.type
        printer = Printer(sys.stdout, color=color, raw=args.raw, no_keepalive=args.no_keepalive, types=types)
        # The demo writes the same pipe as focus: say which one is on while a demo runs (playground.py).
        printer.note(f"waiting for focus on {path} ..." + (" (demo)" if settings.demo else ""))
        for batch in read_batches(path):
            if batch is None:
                printer.note("focus went away; waiting for it to come back ...")
                continue
            for line in batch:
                printer.line(line)
            printer.flush()
        return int(ExitStatus.OK)
    except FocusError as exc:
        from focuslib.cli.exits import failed

        return failed("devlog", exc)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: how devlog is meant to end (see ExitStatus)
        return int(ExitStatus.OK)
    except BrokenPipeError:
        return int(ExitStatus.OK)


if __name__ == "__main__":
    sys.exit(main())
