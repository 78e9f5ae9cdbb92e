"""Whole-value text matching with `*` as the only wildcard, in linear time.

Filter values are user text. Translating `*` into a regular expression (`.*`) lets a
value such as `*a*a*a*a*a*a*a*a*a*a*a*a*c` backtrack exponentially against a long
name and stall the event loop; this matcher instead anchors the first and last
pieces and finds the others left to right with `str.find`, which is never slower
than one pass per piece.
"""

from __future__ import annotations


def wildcard_match(pattern: str, text: str) -> bool:
    """True when `text` matches `pattern` case-insensitively; `*` matches any run."""
    pieces = pattern.casefold().split("*")
    text = text.casefold()
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if len(first) + len(last) > len(text):
        return False
    if not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True
