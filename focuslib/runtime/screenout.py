"""focus's stdout while the input line is on: lines wait here, bounded, and one thread prints them above the prompt.

prompt_toolkit's own `StdoutProxy` keeps every line a slow or paused
terminal has not taken yet (an unbounded queue, then one callback per batch
on the prompt's event loop): a terminal nobody reads grows focus's memory
without end.  This writer keeps the same job -- lines go above the input
line through `run_in_terminal`, the library's way, so the prompt is erased
and redrawn around them -- with three differences:

* what waits is bounded (runtime/backlog.py): a terminal that takes output,
  however slowly, loses nothing short of 32 MiB waiting; one that has taken
  nothing for a second keeps the newest 4 MiB, and one quiet line says how
  many lines were skipped; `on_drop` hands the count to the devlog.  `write`
  never blocks: chat never stalls on the terminal.
* one batch is on its way at a time: the flush thread waits until the
  event loop has written it before it takes the next, so nothing piles up
  on the loop either (a write the terminal blocks blocks only this thread
  and the prompt's loop, never the main thread).
* when no prompt runs (between two prompts, after the input line crashed or
  stopped) the text is written directly, as a plain terminal would.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from prompt_toolkit.application import get_app_session, run_in_terminal
from prompt_toolkit.output import Output

from focuslib import threads
from focuslib.runtime.backlog import LIMIT, STUCK_SECONDS, Backlog, skipped_text

BATCH_SECONDS = 0.02  # how long the flush thread gathers lines before one redraw
# Characters written above the prompt at a time: the prompt's loop writes them, and reads no key meanwhile, so
# a slow terminal (80 KiB/s) must never hold a Ctrl-C or an Enter for long (a whole raid's backlog took 89 s).
TAKE = 16 * 1024
CLOSE_WAIT = 1.0  # seconds `close` waits for what is left (a terminal nobody reads never takes it)


def skipped_line(n: int) -> str:
    return f"\x1b[2m{skipped_text(n)}\x1b[0m\n"


class ScreenOut:
    """A text stream (`write`, `flush`) for the main thread; a flush thread prints through prompt_toolkit."""

    def __init__(self, *, limit: int | None = None, hard: int | None = None, batch: float = BATCH_SECONDS,
                 on_drop: Callable[[int], None] = lambda n: None) -> None:
        self._backlog = Backlog(limit=limit, hard=hard)
        self.batch = batch
        self.on_drop = on_drop
        self.app_session = get_app_session()
        self._output: Output = self.app_session.output  # bound before sys.stdout is replaced
        self._cond = self._backlog.cond
        self._partial: list[str] = []  # text after the last newline, until its newline comes
        self._closing = False
        self._give_up_at = 0.0  # once closing: what waits past this moment is dropped, not written
        self.closed = False
        self.errors = "strict"
        self._thread = threading.Thread(target=self._flush_loop, name="screen-out", daemon=True)
        threads.start(self._thread)

    # -- the stream (any thread; never blocks on the terminal) ----------------------------------

    def write(self, data: str) -> int:
        if not data:
            return 0
        with self._cond:
            if "\n" not in data:
                self._partial.append(data)
                return len(data)
            head, tail = data.rsplit("\n", 1)
            chunk = "".join(self._partial) + head + "\n"
            self._partial = [tail] if tail else []
            self._backlog.add(chunk)
            self._cond.notify()
        return len(data)

    def flush(self) -> None:
        with self._cond:
            if self._partial:
                self._backlog.add("".join(self._partial))
                self._partial = []
            self._cond.notify()

    def fileno(self) -> int:
        return self._output.fileno()

    def isatty(self) -> bool:
        stdout = getattr(self._output, "stdout", None)
        return bool(stdout is not None and stdout.isatty())

    @property
    def encoding(self) -> str:
        return self._output.encoding()

    def pending(self) -> int:
        """Characters waiting for the terminal (tests and the devlog)."""
        with self._cond:
            return self._backlog.size

    # -- the flush thread ---------------------------------------------------------------------

    def _take(self) -> tuple[str, int] | None:
        with self._cond:
            while not self._backlog and not self._closing:
                self._cond.wait()
            if self._closing and time.monotonic() >= self._give_up_at:
                self._backlog.discard()  # focus is stopping and waited long enough: counted, not written
            if not self._backlog:
                return None
            return self._backlog.take(TAKE)

    def _flush_loop(self) -> None:
        while True:
            taken = self._take()
            if taken is None:
                self._report()
                return
            text, dropped = taken
            if dropped:
                text = skipped_line(dropped) + text
            self._report()
            ran_in_loop = self._show(text)
            if ran_in_loop and not self._closing and not self._backlog:
                # Gather the next batch: one erase and redraw of the input line per batch, not per line.
                with self._cond:
                    self._cond.wait_for(lambda: self._closing, self.batch)

    def _show(self, text: str) -> bool:
        """Write `text` above the prompt (waiting until it is written), or directly when no prompt runs."""
        app = self.app_session.app
        loop = getattr(app, "loop", None) if app is not None and app.is_running else None
        if loop is None:
            self._write_now(text)
            return False
        done = threading.Event()
        state = {"started": False, "abandoned": False}
        guard = threading.Lock()

        def start() -> None:
            with guard:
                if state["abandoned"]:
                    return
                state["started"] = True
            try:
                future = run_in_terminal(lambda: self._write_now(text), in_executor=False)
            except Exception:
                done.set()
                raise
            future.add_done_callback(lambda f: done.set())

        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:  # the loop closed in between
            self._write_now(text)
            return False
        waited = 0.0
        while not done.wait(0.25):
            waited += 0.25
            if waited >= STUCK_SECONDS and not self._backlog.stuck:
                self._backlog.set_stuck(True)
            self._report()  # a terminal that takes nothing: the devlog hears of the drops meanwhile
            # The prompt ended before running it (its loop closed): write it here, once.
            if not (app.is_running and not loop.is_closed()) or self._closing:
                with guard:
                    if not state["started"]:
                        state["abandoned"] = True
                if state["abandoned"]:
                    self._write_now(text)
                    return False
                if self._closing:
                    return True  # written by the loop if ever; close() does not wait for a blocked terminal
        if self._backlog.stuck:
            self._backlog.set_stuck(False)  # it took this batch: it is a working terminal again
        return True

    def _report(self) -> None:
        n = self._backlog.unreported()
        if n:
            try:
                self.on_drop(n)
            except Exception:  # the devlog's trouble is not the terminal's
                pass

    def _write_now(self, text: str) -> None:
        try:
            self._output.enable_autowrap()
            self._output.write_raw(text)  # focus's own SGR colors pass; its text is sanitized already
            self._output.flush()
        except OSError:
            pass  # the terminal went away: nothing to show it on

    def close(self, timeout: float = CLOSE_WAIT) -> None:
        """Flush what is left (waiting at most `timeout`), then stop the thread.  Idempotent."""
        if self.closed:
            return
        self.flush()
        with self._cond:
            # The batch in flight (at most TAKE characters) has the rest of `timeout` to finish.
            self._give_up_at = time.monotonic() + max(0.0, timeout - 0.3)
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)
        self.closed = True


__all__ = ["LIMIT", "ScreenOut", "skipped_line"]
