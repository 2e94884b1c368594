"""The history writer's queue: chat rows packed into anonymous memory maps, bounded in rows and in bytes.

Why not a deque of row tuples: a chat row as a tuple of 14 Python objects
is about 700 bytes, and the queue's peak (a raid, or a write held up by
another program's lock) stayed in Python's allocator after the queue emptied:
+12 to +16 MiB of RSS that never came back.  Here the main thread packs each
row with `marshal` (about 190 bytes, one object) and appends it to a deque;
the writer thread moves what arrived into blocks of at least BLOCK bytes
mapped from the OS (`pack`, every FLOOD_LOOK while a batch gathers), and a
block is unmapped as soon as its last row is written, so the memory of a
peak goes back to the system.  Each row starts with its chatter's key (the
user id's first 8 bytes): the writer inserts a run in chatter order
without unpacking it first (`Run.pieces`), so only one statement's rows
exist as objects at a time.  Events (rare) stay objects, in their place
between runs of rows, because an event may change the flags of the messages
before it.

No lock: only the main thread appends to the deque and adds to `added`,
only the writer pops and adds to `removed`, and a deque's append and
popleft are each one atomic step.
"""

from __future__ import annotations

import marshal
import mmap
import sys
from array import array
from collections import deque
from itertools import accumulate
from typing import Any, Callable, Iterator

_dumps = marshal.dumps
KEY_SIZE = 8  # a row's chatter key, before the row: the first bytes of the user id, as the index orders them
PAD = bytes(KEY_SIZE)
KEYS = 4_096  # chatters whose keys the main thread keeps (then it starts again)
BLOCK = 1 << 20  # bytes per memory map at least (a row is ~190 bytes; a 500-character emoji message ~2.2 KB)


class Run:
    """Consecutive chat rows packed in one block: where they are and each one's length (key included)."""

    __slots__ = ("block", "start", "end", "lengths")

    def __init__(self, block: mmap.mmap, start: int) -> None:
        self.block = block
        self.start = self.end = start
        self.lengths = array("I")

    def __len__(self) -> int:
        return len(self.lengths)

    def pieces(self, size: int, sort_from: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows, unpacked `size` at a time; a run of `sort_from` rows or more sorted by chatter key first (a
        stable sort: each chatter's own order kept), so that the index by chatter takes them one insertion point
        after another, in its own order (a smaller run has too few rows per chatter to gain from it)."""
        block, loads, k = self.block, marshal.loads, KEY_SIZE
        at = array("Q", accumulate(self.lengths, initial=self.start))
        n = len(self.lengths)
        order: Any = range(n)
        if n >= sort_from:
            keys = [block[a:a + k] for a in at[:-1]]
            order = sorted(order, key=keys.__getitem__)
            del keys
        view = memoryview(block)  # marshal reads the rows in place, no copy
        try:
            for j in range(0, n, size):
                yield [loads(view[at[i] + k:at[i + 1]]) for i in order[j:j + size]]
        finally:
            view.release()


def heap_trimmer() -> Callable[[], object]:
    """glibc's `malloc_trim(0)` where the C library has it (Linux with glibc), else a no-op.

    What the writer thread frees after a batch (SQLite's statement scratch, unpacked rows, parameter lists)
    stays in its malloc heap, which glibc gives back to the system only from the top: after a raid that was
    about 1 MiB of RSS kept for good (+4.6-4.9 MiB of growth over 1,000,000 messages without it).
    `malloc_trim` hands every heap's free pages back; the writer calls it after a flood (writer.TRIM_ROWS).
    Resolved in the writer thread, off start-up: ctypes costs a few milliseconds to import."""
    if not sys.platform.startswith("linux"):
        return _nothing
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library: glibc has it, musl does not
    except (ImportError, OSError, AttributeError):  # ImportError: a Python built without libffi has no _ctypes
        return _nothing
    trim.argtypes = (ctypes.c_size_t,)
    return lambda: trim(0)


def _nothing() -> None:
    pass


def rows_in(items: list[Any]) -> int:
    """Chat rows and events in `items` (what `take` returned), each row counted."""
    return sum(len(i) if type(i) is Run else 1 for i in items)


class Spool:
    def __init__(self, capacity: int, capacity_bytes: int, block: int = BLOCK) -> None:
        self._capacity = capacity  # rows + events
        self._capacity_bytes = capacity_bytes
        self._block_size = block
        self._arrived: deque[Any] = deque()  # main -> writer: packed rows (bytes) and events (tuples), in order
        self.added = self.added_bytes = 0  # the main thread's counts
        self._keys: dict[str, bytes] = {}  # user id -> key, the main thread's
        self.removed = self.removed_bytes = 0  # the writer's counts (taken to be written, or cleared)
        # The writer's side only:
        self._sealed: deque[Any] = deque()  # Run | (ts, event, held), in arrival order
        self._block: mmap.mmap | None = None  # where the next run goes

    @property
    def count(self) -> int:
        """Rows and events queued (read from either thread; exact in the thread that last changed it)."""
        return self.added - self.removed

    # -- main thread -----------------------------------------------------------

    def put_row(self, row: tuple[Any, ...], user_id: str) -> bool:
        """Queue one chat row of the chatter `user_id`; False (nothing queued) when the spool is full.  The row
        goes with its key: the first KEY_SIZE bytes of the user id (NUL-padded), by which runs are written in
        the index's own order."""
        # The key goes first, in a copy: `dumps` builds in a 1 KiB malloc buffer that it shrinks in place, so its
        # result would sit in the main heap between 1 KiB holes until the writer packs it (3-10 MiB of RSS the
        # heap never gave back, in a 1,000,000-message run); the copy comes from Python's small-object
        # allocator, and the buffer is freed at once, to be reused by the next row.
        key = self._keys.get(user_id)  # a raid's chatters write many rows each: their keys are kept
        if key is None:
            if len(self._keys) >= KEYS:
                self._keys.clear()
            key = self._keys[user_id] = (user_id.encode("utf-8", "surrogatepass") + PAD)[:KEY_SIZE]
        data = key + _dumps(row)
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
        """Move the rows that arrived into blocks: the last run grows while no event comes between."""
        arrived, sealed = self._arrived, self._sealed
        items = [arrived.popleft() for _ in range(len(arrived))]  # what is there now; later puts wait
        rows: list[bytes] = []
        for item in items:
            if type(item) is bytes:
                rows.append(item)
            else:
                self._append(rows)
                rows = []
                sealed.append(item)
        self._append(rows)

    def _append(self, rows: list[bytes]) -> None:
        """Rows onto the last run when it ends where the block does (no event after it), else a new run; at
        most a block's worth a run (what waited out a long lock is split), so a transaction stays near
        MAX_BATCH rows."""
        size = self._block_size
        while rows:
            block = self._block
            room = size - block.tell() if block is not None and len(block) == size else 0
            if len(rows[0]) > room:
                # The old block is unmapped once its last Run is written and dropped (an mmap closes when collected).
                block = self._block = mmap.mmap(-1, max(size, len(rows[0])))
                room = len(block)
            n = used = 0
            for r in rows:  # as many as fit (the first always does)
                if used + len(r) > room:
                    break
                used += len(r)
                n += 1
            assert block is not None
            part, rows = rows[:n], rows[n:]
            sealed = self._sealed
            run = sealed[-1] if sealed else None
            if type(run) is not Run or run.block is not block or run.end != block.tell():
                run = Run(block, block.tell())
                sealed.append(run)
            write = block.write
            for r in part:  # one by one: a joined copy (up to a block) raised malloc's mmap threshold, and the
                write(r)    # writer thread's heap kept ~1 MiB of such copies' room for good
            run.end += used
            run.lengths.extend(map(len, part))

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
                rows += len(item)
                size += item.end - item.start
            else:
                rows += 1
        self.removed_bytes += size
        self.removed += rows
        if not sealed:
            self._block = None  # unmapped with the last Run taken from it (a quiet chat keeps no block)
        return out

    def clear(self) -> int:
        """Forget everything queued (the history failed); how many rows and events that was.  Nothing is packed
        on the way: the failure may have been memory itself."""
        gone = rows_in(list(self._sealed))
        self._sealed.clear()
        while self._arrived:  # the history is off now: nothing more comes but a put already under way
            self._arrived.popleft()
            gone += 1
        self.removed += gone
        self.removed_bytes = self.added_bytes
        self._block = None
        return gone
