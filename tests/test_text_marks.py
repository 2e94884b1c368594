"""The sanitizer's combining-mark table (focuslib/text_marks.py): committed so a start need not read the category of
every code point, and never stale: it must equal what the running Python's Unicode database says."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from focuslib import text, text_marks

REGENERATE = ".venv/bin/python -c 'import focuslib.text as t; print(t.marks_table_source(), end=\"\")' " \
             "> focuslib/text_marks.py"


@pytest.fixture
def fresh_marks() -> Iterator[None]:
    text._marks.cache_clear()
    yield
    text._marks.cache_clear()


def test_the_committed_table_is_the_running_pythons_unicode() -> None:
    assert text_marks.UNICODE_VERSION == unicodedata.unidata_version, f"a new Unicode: {REGENERATE}"
    assert text_marks.RANGES == text.computed_mark_ranges(), f"the table is stale: {REGENERATE}"
    assert text.mark_ranges() is text_marks.RANGES  # so a start uses it


def test_the_committed_file_is_what_the_generator_writes() -> None:
    committed = (Path(text.__file__).parent / "text_marks.py").read_text(encoding="utf-8")
    assert committed == text.marks_table_source(), f"edited by hand or stale: {REGENERATE}"


def _samples() -> list[str]:
    """Every mark range's ends, stacked past the limit on a letter, and real text with marks and sneaky characters."""
    stacked = [f"a{chr(a) * 5}b{chr(b) * 6}c" for a, b in text.computed_mark_ranges()]
    return [*stacked, "Z\u0351\u0352\u0353\u0354\u0355\u0356algo", "हिन्दी", "ภาษาไทย", "שָׁלוֹם", "e\u0301\u0301\u0301\u0301",
            "\u3164name\u0300\u0300\u0300\u0300\u0300", "\x1b[31mred\u0300\u0300\u0300\u0300\u200b", "plain"]


def test_another_unicode_version_computes_the_table_and_sanitizes_alike(monkeypatch: pytest.MonkeyPatch,
                                                                          fresh_marks: None) -> None:
    samples = _samples()
    from_table = [text.sanitize(s) for s in samples]
    assert from_table[0] == "a" + chr(0x300) * 3 + "b" + chr(0x36F) * 3 + "c"  # the cut happens at all
    text._marks.cache_clear()
    monkeypatch.setattr(text_marks, "UNICODE_VERSION", "0.0.0")  # a Python whose Unicode the table was not made from
    assert text.mark_ranges() is not text_marks.RANGES
    assert [text.sanitize(s) for s in samples] == from_table
