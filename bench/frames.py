"""Chat notifications for the bench: serialized ahead of time, numbered, and framed.

Every message's text starts with `zq<seq>`, so whoever reads a client's
output can tell which message a line is (latency is matched by that number)
and count lines without parsing them.  Frames are built from one template per
chatter with the number and ids filled in by `%` formatting, which is fast
enough to make a million frames while the client is busy with the previous
batch.  `ws_frames` gives the exact bytes a WebSocket server puts on the wire
for unmasked, unfragmented text frames (RFC 6455 §5.2), so the simulator can
hand a whole burst to the kernel in one `sendall` instead of paying a Python
`send()` per frame.
"""

from __future__ import annotations

import re
import secrets
import struct
from typing import TYPE_CHECKING, Iterable

from focuslib.sim import payloads

if TYPE_CHECKING:
    from focuslib.sim.server import SimSession, SimTwitch

MARK = "zq"
MARK_RE = re.compile(rb"zq(\d+)")
TEXT = "hello chat, this is a burst message Kappa"
CHATTERS = 500  # distinct chatters, so per-user caches see a realistic spread
# Colors chatters picked, and "" (never picked one) so the default-palette path runs too.
COLORS = ("#1E90FF", "#FF7F50", "", "#9ACD32", "#DAA520", "#8A2BE2", "")


class ChatFrames:
    """Numbered `channel.chat.message` notification frames for one simulator session."""

    def __init__(self, sim: SimTwitch, session: SimSession, chatters: int = CHATTERS) -> None:
        run = secrets.token_hex(4)
        self._templates: list[str] = []
        for c in range(chatters):
            event = payloads.chat_message(payloads.chatter(c), f"{MARK}@SEQ@ {TEXT}", color=COLORS[c % len(COLORS)],
                                   badges=[("subscriber", "12", "12")], message_id="@CID@")
            frame = sim.notification_frame(session, "channel.chat.message", event, "@MID@")
            self._templates.append(
                frame.replace("%", "%%").replace("@SEQ@", "%(s)d")
                .replace("@MID@", f"{run}-0000-4000-8000-%(s)012x")
                .replace("@CID@", f"{run}-0000-4000-9000-%(s)012x"))

    def text(self, seq: int) -> str:
        """The JSON text of message number `seq`."""
        templates = self._templates
        return templates[seq % len(templates)] % {"s": seq}

    def texts(self, seqs: Iterable[int]) -> list[str]:
        return [self.text(k) for k in seqs]



def ws_frame(payload: bytes) -> bytes:
    """One unmasked server-to-client text frame with FIN set (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x81, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x81, 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 127, n)
    return head + payload


def ws_frames(texts: Iterable[str]) -> bytes:
    """Many text frames back to back, ready for one `sendall`."""
    return b"".join(ws_frame(t.encode("utf-8")) for t in texts)
