"""The history writer's queue: chat rows packed into anonymous memory maps, bounded in rows and in bytes.

Why not a deque of row tuples: a chat row as a tuple of 14 Python objects
is about 700 bytes, and the queue's peak (a raid, or a write held up by
another program's lock) stayed in Python's allocator after the queue emptied:
+12 to +16 MiB of RSS that never came back.  Here the main thread packs each
row with `marshal` (about 190 bytes, one object) and appends it to a deque;
the writer thread moves what arrived into blocks of at least BLOCK bytes
mapped from the OS (`pack`, every FLOOD_LOOK while a batch gathers), and a
block is unmapped as soon as its last row is written, so the memory of a
peak goes back to the system.  Events (rare) stay objects, in their place
between runs of rows, because an event may change the flags of the messages
before it.

No lock: only the main thread appends to the deque and adds to `added`,
only the writer pops and adds to `removed`, and a deque's append and
popleft are each one atomic step.
"""

from __future__ import annotations

import marshal
import mmap
from array import array
from collections import deque
from typing import Any, Iterator, NamedTuple

_dumps = marshal.dumps
BLOCK = 256 << 10  # bytes per memory map at least (a row is ~190 bytes; a 500-character emoji message ~2.2 KB)


class Run(NamedTuple):
    """Consecutive chat rows packed in one block: where they are and each one's length."""

    block: mmap.mmap
    start: int
    end: int
    lengths: array

    def rows(self, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows, unpacked `chunk` at a time (only that many tuples exist at once)."""
        block, loads = self.block, marshal.loads
        pos = self.start
        out: list[tuple[Any, ...]] = []
        for n in self.lengths:
            out.append(loads(block[pos:pos + n]))
            pos += n
            if len(out) == chunk:
                yield out
                out = []
        if out:
            yield out


def rows_in(items: list[Any]) -> int:
    """Chat rows and events in `items` (what `take` returned), each row counted."""
    return sum(len(i.lengths) if type(i) is Run else 1 for i in items)


class Spool:
    def __init__(self, capacity: int, capacity_bytes: int, block: int = BLOCK) -> None:
        self._capacity = capacity  # rows + events
        self._capacity_bytes = capacity_bytes
        self._block_size = block
        self._arrived: deque[Any] = deque()  # main -> writer: packed rows (bytes) and events (tuples), in order
        self.added = self.added_bytes = 0  # the main thread's counts
        self.removed = self.removed_bytes = 0  # the writer's counts (taken to be written, or cleared)
        # The writer's side only:
        self._sealed: deque[Any] = deque()  # Run | (ts, event, held), in arrival order
        self._block: mmap.mmap | None = None  # where the next run goes

    @property
    def count(self) -> int:
        """Rows and events queued (read from either thread; exact in the thread that last changed it)."""
        return self.added - self.removed

    # -- main thread -----------------------------------------------------------

    def put_row(self, row: tuple[Any, ...]) -> bool:
        """Queue one chat row; False (nothing queued) when the spool is full."""
        data = _dumps(row)
        n = len(data)
        added = self.added
        if added - self.removed >= self._capacity or self.added_bytes + n - self.removed_bytes > self._capacity_bytes:
            return False
        self._arrived.append(data)
        self.added_bytes += n
        self.added = added + 1
        return True

    def put_event(self, item: tuple[Any, ...]) -> bool:
        """Queue one event (ts, event, held) after the rows queued before it; False when full."""
        if self.added - self.removed >= self._capacity:
            return False
        self._arrived.append(item)
        self.added += 1
        return True

    # -- the writer thread -----------------------------------------------------

    def pack(self) -> None:
        """Move the rows that arrived into blocks (runs between the events)."""
        arrived, sealed = self._arrived, self._sealed
        rows: list[bytes] = []
        for _ in range(len(arrived)):  # what is there now; a put meanwhile waits for the next pack
            item = arrived.popleft()
            if type(item) is bytes:
                rows.append(item)
            else:
                if rows:
                    sealed.append(self._run(rows))
                    rows = []
                sealed.append(item)
        if rows:
            sealed.append(self._run(rows))

    def take(self, limit: int) -> list[Any]:
        """The oldest runs and events, at least `limit` rows of them when there are that many (runs are
        taken whole)."""
        self.pack()
        sealed = self._sealed
        out: list[Any] = []
        rows = size = 0
        while sealed and rows < limit:
            item = sealed.popleft()
            out.append(item)
            if type(item) is Run:
                rows += len(item.lengths)
                size += item.end - item.start
            else:
                rows += 1
        self.removed_bytes += size
        self.removed += rows
        if not sealed:
            self._block = None  # unmapped with the last Run taken from it (a quiet chat keeps no block)
        return out

    def clear(self) -> int:
        """Forget everything queued (the history failed); how many rows and events that was."""
        gone = rows_in(self.take(self.count + len(self._arrived) + 1))
        while self._arrived:  # what arrived during the take (the history is off now: nothing more comes)
            item = self._arrived.popleft()
            self.removed += 1
            self.removed_bytes += len(item) if type(item) is bytes else 0
            gone += 1
        self._block = None
        return gone

    def _run(self, rows: list[bytes]) -> Run:
        data = b"".join(rows)
        block = self._block
        if block is None or block.tell() + len(data) > len(block):
            # The old block is unmapped once its last Run is written and dropped (an mmap closes when collected).
            block = self._block = mmap.mmap(-1, max(self._block_size, len(data)))
        start = block.tell()
        block.write(data)
        return Run(block, start, block.tell(), array("I", map(len, rows)))
