"""The stream's guard in one snapshot: how many chatters the hold queue keeps off stream, and whether /shield is on.

The running focus computes it (runtime/vetting.py) and the App hands it out (`App.guard`): today the status
line shows it after the session's status (`subscribed 28/28 · 3 held · SHIELD`); a full-screen header can read
the same record.  Kept apart from the history's modules so the App can name it without loading them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Guard:
    held: int = 0  # chatters the hold queue keeps off stream
    shield: bool = False  # /shield is on

    def suffix(self) -> str:
        """`3 held · SHIELD`, or "" when there is nothing to say."""
        parts = ([f"{self.held} held"] if self.held else []) + (["SHIELD"] if self.shield else [])
        return " · ".join(parts)
