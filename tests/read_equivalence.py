"""Shared pieces of the read-mapping equivalence tests (fast mapping vs. its plain oracle).

A mapping's outcome is the record's `repr` or the error's type and message: `repr` also
tells `1` from `True`, `0.0` from `-0.0` and a str from a StrEnum member, which `==` does
not. `ODD_VALUES` are the malformed attribute values each provider's test tries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

Outcome = tuple[str, str]


def outcome(read: Callable[[], object]) -> Outcome:
    """What a mapping gave: the record's repr, or the error's type and message."""
    try:
        return ("record", repr(read()))
    except Exception as exc:  # any error must be the same error
        return (type(exc).__name__, str(exc))


def assert_same_outcome(new: Callable[[], object], old: Callable[[], object]) -> None:
    """Both give the same record (by `repr` and `==`) or the same error."""
    expected = outcome(old)
    assert outcome(new) == expected
    if expected[0] == "record":
        assert new() == old()


ODD_VALUES: tuple[Any, ...] = (
    None,
    "",
    " ",
    "x",
    "Mrs.",
    " mx ",
    "Connected",
    "connected",
    "ORG",
    "MALE",
    "2025-07-01T12:07:53+00:00",
    "2019-06-28T14:52:48.000+0200",
    "2025-07-01",
    "2025-13-45T99:00:00",
    "+49 30 12345678",
    "+49-941-1234567",
    "+1-2-3",
    "(312) 555-0199",
    "12",
    "a\n\nb\n",
    0,
    1,
    -7,
    10**30,
    1.5,
    -0.0,
    True,
    False,
    [],
    ["a@example.org", "A@EXAMPLE.ORG", 3, None, ""],
    [{"Date": "2025-12-02", "Score": 3}],
    {},
    {"ReverseProspecting": True, "Score": 5, "Id": 9, "Note": "n", "context": 4, "user": "u"},
    {"street": "Main St", "houseNumber": "", "city": 3},
)

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.sampled_from(ODD_VALUES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
"""Values a JSON body could hold, biased towards the odd ones above."""
