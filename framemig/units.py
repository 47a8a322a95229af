"""How framemig writes sizes and durations for people, everywhere the same."""

from __future__ import annotations


def size(value: float, short: bool = False) -> str:
    """Bytes in B/KB/MB/GB (powers of 1024); ``short`` writes K, M, G, for tables."""
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            unit = unit[0] if short and unit != "B" else unit
            space = "" if short else " "
            return f"{value:.0f}{space}{unit}" if unit == "B" else f"{value:.1f}{space}{unit}"
        value /= 1024
    return str(value)


def ago(seconds: float) -> str:
    """A duration as 42s, 3m07s, 2h05m, 1d04h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def seconds(text: str) -> float:
    """``"5s"``, ``"1.5m"``, ``"2h"``, ``"30"`` (seconds) -> seconds; ValueError if not a
    duration."""
    text = str(text).strip().lower()
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for suffix in ("ms", "s", "m", "h"):
        if text.endswith(suffix):
            number, factor = text[:-len(suffix)], scale[suffix]
            break
    else:
        number, factor = text, 1
    value = float(number) * factor
    if value < 0 or value != value:
        raise ValueError(f"{text!r} is not a duration")
    return value
