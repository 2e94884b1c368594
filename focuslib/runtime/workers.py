"""A few threads running jobs from one queue: the App's subscription POSTs, so a slow Helix never holds up chat."""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable

from focuslib import threads


class Workers:
    """A few threads running jobs from one queue (subscription POSTs)."""

    def __init__(self, size: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._size = size
        self._name = name
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads (idempotent): before the first job, so it does not wait for them."""
        if not self.threads:
            for k in range(self._size):
                t = threading.Thread(target=self._run, name=f"{self._name}-{k + 1}", daemon=True)
                threads.start(t)
                self.threads.append(t)

    def submit(self, job: Callable[[], None]) -> None:
        self.start()
        self._jobs.put(job)

    def stop(self, timeout: float) -> None:
        for _ in self.threads:
            self._jobs.put(None)
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()
