"""Tables for humans that fit the terminal, and the same rows as CSV or JSON for scripts.

    render_table(["id", "loss"], [["a1", 0.25], ["b2", None]])  ->  aligned text, one line a row

Numbers are right-aligned and shown with 6 significant digits; a table wider than the terminal
shrinks its widest columns first and marks cut cells with `…`.
"""
from __future__ import annotations

import csv
import io
import json
import math
import shutil
from typing import Any, List, Optional, Sequence

from runwrap.store.values import to_json_safe

GAP = "  "
MIN_COLUMN = 3


def terminal_width() -> int:
    return max(20, shutil.get_terminal_size((100, 24)).columns)


def format_cell(value: Any) -> str:
    if value.__class__ is str:  # most cells: no work beyond keeping the row on one line
        return value if "\n" not in value else value.replace("\n", " ")
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return format(value, ".6g")
    if isinstance(value, (list, tuple)):
        return ",".join(format_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value).replace("\n", " ")


def _numeric(column: Sequence[Any]) -> bool:
    values = [v for v in column if v is not None and v != ""]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                for v in values)


def _fit(widths: List[int], total: int) -> List[int]:
    """Cap the widest columns at one common width so that the row fits `total` characters."""
    needed = sum(widths) + len(GAP) * (len(widths) - 1)
    if needed <= total:
        return widths
    budget = total - len(GAP) * (len(widths) - 1)
    lo, hi = MIN_COLUMN, max(widths)
    while lo < hi:  # the largest cap whose capped widths fit the budget
        cap = (lo + hi + 1) // 2
        if sum(min(w, cap) for w in widths) <= budget:
            lo = cap
        else:
            hi = cap - 1
    return [min(w, lo) for w in widths]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def elide_middle(text: str, width: int) -> str:
    """`text` cut to `width` by replacing its middle with `…`: long metric names differ at the
    start (the writer) and at the end (the tag), rarely in between."""
    if len(text) <= width:
        return text
    if width < 2:
        return text[:width]
    tail = (width - 1) // 2
    return text[:width - 1 - tail] + "…" + text[len(text) - tail:]


def _elide_at(text: str, width: int, head: int) -> str:
    return text if len(text) <= width else text[:head] + "…" + text[len(text) - (width - 1 - head):]


def elide_apart(texts: Sequence[str], width: int) -> List[str]:
    """Each text cut to `width` as `elide_middle` cuts it, except where two different texts
    would then read the same (`train/train_samples_per_second` and `train/train_steps_per_second`
    both give `train/train_…_per_second`): those move their cut, keeping as much of the start
    as still tells them apart."""
    out = [elide_middle(t, width) for t in texts]
    sources: dict = {}
    for text, shown in zip(texts, out):
        sources.setdefault(shown, set()).add(text)
    if width < 3 or all(len(group) == 1 for group in sources.values()):
        return out
    taken = {shown for shown, group in sources.items() if len(group) == 1}
    default_head = width - 1 - (width - 1) // 2
    for shown, group in sources.items():
        if len(group) == 1:
            continue
        # Heads nearest the usual split first, then ever shorter and longer ones.
        for head in sorted(range(1, width - 1), key=lambda h: (abs(h - default_head), -h)):
            tried = {text: _elide_at(text, width, head) for text in group}
            if len(set(tried.values())) == len(group) and not taken & set(tried.values()):
                taken.update(tried.values())
                out = [tried.get(text, cut) for text, cut in zip(texts, out)]
                break
    return out


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                 width: Optional[int] = None, middle_cut: Sequence[int] = ()) -> str:
    """`rows` (raw values) under `headers` as aligned text no wider than `width` (default: the
    terminal's), without a trailing newline. Cells of the columns in `middle_cut` that do not
    fit lose their middle (`elide_middle`) instead of their end."""
    width = terminal_width() if width is None else width
    n = len(headers)
    cells = [[format_cell(row[i]) if i < len(row) else "" for i in range(n)] for row in rows]
    numeric = [_numeric([row[i] for row in rows if i < len(row)]) for i in range(n)]
    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    widths = _fit(natural, width)
    for i in middle_cut:
        if i < n and natural[i] > widths[i]:
            for row, text in zip(cells, elide_apart([row[i] for row in cells], widths[i])):
                row[i] = text
    lines = []
    for row in [list(headers)] + cells:
        parts = []
        for i in range(n):
            text, w = row[i], widths[i]
            if len(text) > w:
                text = elide_middle(text, w) if i in middle_cut else _clip(text, w)
            parts.append(text.rjust(w) if numeric[i] else text.ljust(w))
        lines.append(GAP.join(parts).rstrip())
    return "\n".join(lines)


def csv_value(value: Any) -> Any:
    """A value as a CSV cell: numbers stay numbers (nan/inf as Python writes them), structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(to_json_safe(value))
    return value


def render_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return out.getvalue()


def render_json(obj: Any) -> str:
    """Strict JSON (NaN/±Inf as strings, like the streams), indented for reading."""
    return json.dumps(to_json_safe(obj), indent=2, default=str)


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def human_time(t: Optional[float]) -> str:
    """A unix time as local `YYYY-MM-DD HH:MM`, or `-`."""
    if not t:
        return "-"
    import time  # start-up: loaded only on the path that needs it

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def human_duration(seconds: Optional[float]) -> str:
    if not isinstance(seconds, (int, float)) or seconds != seconds:
        return ""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"
