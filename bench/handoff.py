"""`python -m bench.handoff`: what one thread hand-off costs on this machine.

A thread blocked in `recv` on a socket pair wakes (a message arrives every
2 ms, as at 500 msg/s), puts a timestamp on a queue, and a second thread
blocked on that queue takes it: the same hand-off every chat message makes in
focus from the websocket thread to the main thread.  Prints p50/p99/max.
"""

from __future__ import annotations

import queue
import socket
import threading
import time


def measure(messages: int = 3000, interval: float = 0.002) -> list[float]:
    inbox: queue.SimpleQueue[float | None] = queue.SimpleQueue()
    waits: list[float] = []

    def consumer() -> None:
        while (sent := inbox.get()) is not None:
            waits.append(time.perf_counter() - sent)

    a, b = socket.socketpair()

    def reader() -> None:
        while a.recv(16) == b"m":
            inbox.put(time.perf_counter())
        inbox.put(None)

    threads = [threading.Thread(target=consumer), threading.Thread(target=reader)]
    for th in threads:
        th.start()
    stop = threading.Event()
    for _ in range(messages):
        b.send(b"m")
        stop.wait(interval)
    b.send(b"x")
    for th in threads:
        th.join()
    a.close()
    b.close()
    return sorted(waits)


def main() -> None:
    waits = measure()
    us = [w * 1e6 for w in waits]
    print(f"thread hand-off: p50 {us[len(us) // 2]:.0f} us, p99 {us[int(len(us) * 0.99)]:.0f} us, "
          f"max {us[-1]:.0f} us ({len(us)} messages)")


if __name__ == "__main__":
    main()
