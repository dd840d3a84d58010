"""Rounding exactly as metrics.md defines it: half up, in integer arithmetic.

Floating-point round() in Python and PostgreSQL rounds ties to even (1/8 would give 12 %).
"""

from __future__ import annotations


def percent(count: int | None, base: int | None) -> int | None:
    """100 x count / base, half up: (200 x count + base) div (2 x base); None for base 0."""
    if count is None or not base:
        return None
    return (200 * count + base) // (2 * base)


def tenths_half_up(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to one decimal place, half up: (20 x n + d) div (2 x d) / 10."""
    if not denominator:
        return None
    return ((20 * numerator + denominator) // (2 * denominator)) / 10


def whole_days(seconds: int | None) -> int | None:
    """floor(elapsed hours / 24)."""
    return None if seconds is None else seconds // 86400
