"""devlog.py's own speed: records per second it prints, pretty and --raw (`make bench`, phase `devlog`).

A raid sends hundreds of chat messages per second; the devlog has to keep up
with them in both modes, or its buffer in focus fills and records are dropped.
Here the real `devlog.py` reads a FIFO in a temporary directory; this process
writes `records` realistic chat-frame records into it as fast as the pipe takes
them (focus's own frame record format), then a last marker record; devlog.py's
stdout is a pipe this process drains.  The rate is records / (first byte
written -> marker read back).  Also `python -m bench.devlog_rate`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARKER = "devlog-bench-end-marker"


def _records(n: int) -> bytes:
    sys.path.insert(0, str(ROOT))
    from focuslib.devlog.pipe import frame_record
    from focuslib.sim import payloads

    lines = []
    for k in range(n):
        event = payloads.chat_message(payloads.chatter(k % 500), f"hello chat, this is a raid message Kappa #{k}",
                                      color="#1E90FF", badges=[("subscriber", "12", "12")])
        frame = json.dumps({"metadata": {"message_id": payloads.new_id(), "message_type": "notification",
                                         "message_timestamp": "2024-05-01T18:03:41.401Z",
                                         "subscription_type": "channel.chat.message", "subscription_version": "1"},
                            "payload": {"subscription": {"type": "channel.chat.message"}, "event": event}})
        lines.append(frame_record(1714586621.0 + k / 1000, 1, frame))
    lines.append(json.dumps({"kind": "lifecycle", "ts": 0.0, "event": MARKER}))
    return ("\n".join(lines) + "\n").encode()


def measure(mode: str, records: int = 20_000) -> dict[str, Any]:
    """Records per second devlog.py prints in `mode` ("pretty" or "raw")."""
    data = _records(records)
    with tempfile.TemporaryDirectory(prefix="focus-bench-devlog-") as tmp:
        fifo = Path(tmp) / "devlog.fifo"
        os.mkfifo(fifo, 0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
        env["FOCUS_DEVLOG_PIPE"] = str(fifo)
        args = [sys.executable, str(ROOT / "devlog.py"), *(["--raw"] if mode == "raw" else ["--color", "always"])]
        proc = subprocess.Popen(args, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        seen = threading.Event()
        out_bytes = [0]

        def drain() -> None:
            assert proc.stdout is not None
            tail = b""
            while chunk := proc.stdout.read1(1 << 20):
                out_bytes[0] += len(chunk)
                if MARKER.encode() in tail + chunk:
                    seen.set()
                tail = chunk[-64:]

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        fd = os.open(fifo, os.O_WRONLY)  # waits for devlog.py to open its end
        start = time.perf_counter()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.close(fd)
        ok = seen.wait(120)
        elapsed = time.perf_counter() - start
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # the rate is measured; a slow goodbye must not fail the bench
            proc.kill()
            proc.wait()
        reader.join(5)
        assert proc.stdout is not None
        proc.stdout.close()
    if not ok:
        return {"records": records, "error": "devlog.py never printed the last record"}
    return {"records": records, "records_per_s": round(records / elapsed), "seconds": round(elapsed, 3),
            "output_mib": round(out_bytes[0] / 2**20, 1)}


def run(records: int = 20_000) -> dict[str, Any]:
    return {mode: measure(mode, records) for mode in ("pretty", "raw")}


def main() -> None:
    for mode, r in run().items():
        print(f"devlog.py {mode}: {r.get('records_per_s', '?')} records/s ({r})")


if __name__ == "__main__":
    main()
