"""Plan functions as generated Python source, compiled once per distinct selection shape.

A plan completes one object selection: read each selected attribute, check it, turn it
into its response form. Written as a loop over closures, each value costs two or three
Python calls (null check, list walk, coercion); written out as straight-line code it
costs one statement, and the common String/ID/Boolean values cost a type check. This is
what graphql-jit does in JavaScript.

The source holds only GraphQL names (validated by the parser: `[_A-Za-z][_0-9A-Za-z]*`)
and Python identifiers; every value it needs (coercions, nested plans, `is_type_of`)
reaches it as a global of the function. The same selection shape always gives the same
text, so the compiled code is kept in a bounded cache across requests and a request only
pays for building its globals.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import Any, Final

CODE_CACHE_SIZE: Final = 512
"""Distinct plan sources kept compiled. A busy gateway sees few shapes; the bound keeps
a client that sends endless variety from growing the process."""


@lru_cache(maxsize=CODE_CACHE_SIZE)
def compiled(source: str) -> CodeType:
    """The code of `source`, compiled once while it stays among the recent ones."""
    return compile(source, "<planned completion>", "exec")


class NotIdentifier(ValueError):
    """An attribute name that cannot be written as `s.name` (the caller plans nothing)."""


class PlanSource:
    """Builds the source of one plan function `complete(s)` and the globals it reads.

    `bail` is an exception class, raised afresh each time: a raised instance keeps the
    frames it passed through, and one instance raised again and again would keep them all."""

    def __init__(self, bail: type[BaseException]) -> None:
        self.globals: dict[str, Any] = {"BAIL": bail}
        self._lines = ["def complete(s):", "    if s is None: raise BAIL"]
        self._values: list[str] = []

    def constant(self, prefix: str, value: Any) -> str:
        """A global name for `value` (numbered in order: the same plan, the same text)."""
        name = f"{prefix}{len(self.globals)}"
        self.globals[name] = value
        return name

    def line(self, depth: int, text: str) -> None:
        self._lines.append("    " * depth + text)

    def check_source(self, is_type_of: Callable[[Any, Any], Any]) -> None:
        check = self.constant("is_type_of", is_type_of)
        self.line(1, f"if {check}(s, None) is not True: raise BAIL")

    def read(self, key: str, attribute: str) -> str:
        """A variable holding the source's `attribute`, answered under `key`."""
        if not attribute.isidentifier() or keyword.iskeyword(attribute):
            raise NotIdentifier(attribute)
        variable = f"v{len(self._values)}"
        self.line(1, f"{variable} = s.{attribute}")
        self._values.append(f"{key!r}: {variable}")
        return variable

    def constant_value(self, key: str, value: str) -> None:
        """A response key whose value is a fixed string (`__typename`)."""
        self._values.append(f"{key!r}: {value!r}")

    def function(self) -> Callable[[Any], Any]:
        self.line(1, "return {" + ", ".join(self._values) + "}")
        namespace = dict(self.globals)
        exec(compiled("\n".join(self._lines)), namespace)  # noqa: S102 - names only, see above
        # Taken out of its own globals: a function reachable from its globals is a reference
        # cycle, left for the cyclic collector once per plan and request.
        complete: Callable[[Any], Any] = namespace.pop("complete")
        return complete
