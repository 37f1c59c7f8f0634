"""Timing helper shared by the benchmark scripts (run as `python benchmarks/NAME.py`)."""
import time


def best_of(repeat: int, fn) -> tuple[float, object]:
    """(fastest wall time of `repeat` calls of fn() in seconds, the last call's value)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value
