"""What went wrong inside the gateway during a run, from its JSON log (stderr of its process).

The gateway logs an unexpected exception as `unexpected <Type> (error id ...)` with the
stack; errors a client sees only as `INTERNAL_SERVER_ERROR` are counted here by kind, so
a run's error column can be traced to a cause. Log lines carry no personal data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

_KIND = re.compile(r"^(.*?)(?: \(error id [0-9a-f]+\))?(?:\n|$)")


def error_kinds(log: Path) -> dict[str, int]:
    """Error-level log messages by their first line (error ids removed), most frequent first."""
    kinds: Counter[str] = Counter()
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return {}
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("error", "critical"):
            match = _KIND.match(str(entry.get("msg", "")))
            kinds[match.group(1) if match else "?"] += 1
    return dict(kinds.most_common())
