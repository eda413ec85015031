"""Resource measurement: CPU seconds and peak RSS of this process, and of other processes through /proc."""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Usage:
    """Wall time, CPU seconds (user + system, every thread) and peak RSS of this process over a span."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float


class Span:
    """Measures from construction to :meth:`stop`; peak RSS is the process's high-water mark."""

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._cpu = self._cpu_now()

    @staticmethod
    def _cpu_now() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def stop(self) -> Usage:
        return Usage(time.monotonic() - self._wall, self._cpu_now() - self._cpu, peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's RSS high-water mark (VmHWM: reset by exec, unlike ``ru_maxrss``, which a child
    inherits from the parent it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int | str = "self") -> float:
    """Current resident set size of a process, from /proc/PID/statm."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * _PAGE / (1 << 20)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process used so far (all its threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (PostgreSQL's backends, walsenders and workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass
class RssSampler:
    """Samples this process's RSS every ``every_s`` seconds in a thread, for a memory-over-time curve."""

    every_s: float = 0.5
    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        started = time.monotonic()

        def loop() -> None:
            while not self._stop.wait(self.every_s):
                self.samples.append((round(time.monotonic() - started, 2), round(rss_mb(), 1)))

        self._thread = threading.Thread(target=loop, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.samples
