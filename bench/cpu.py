"""CPU accounting for the benchmarks, from /proc (the machine may be shared): the shares of
the server's processes, the PostgreSQL backends, wrk and other programs during a figure,
and bounded waits until the server has drained its connections or the machine is idle."""
from __future__ import annotations

import os
import time


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def system_cpu() -> tuple[int, int, int]:
    """(busy, total, stolen) jiffies of all CPUs together, from /proc/stat. Stolen: time the
    hypervisor gave this machine's CPUs to other guests (counted in busy and total); on a
    shared host it comes and goes within seconds, and slows whichever figure it falls on."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    stolen = fields[7] if len(fields) > 7 else 0
    return total - idle, total, stolen


def _process_cpu(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def process_tree_cpu(root: int) -> int:
    """utime + stime jiffies of `root` and its descendants (gunicorn master + workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _process_cpu(pid)
        stack.extend(parents.get(pid, []))
    return total


def postgres_backends_cpu(database: str) -> int:
    """utime + stime jiffies of the local PostgreSQL backends serving `database` (their
    process title is "postgres: <cluster>: <user> <database> <client> <state>")."""
    needle = f" {database} ".encode()
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if title.startswith(b"postgres: ") and needle in title:
            total += _process_cpu(int(entry))
    return total


def children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children (wrk runs, once reaped)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_connections(port: int) -> int:
    """Connections the server on 127.0.0.1:`port` still holds (ESTABLISHED or CLOSE_WAIT
    on its side, accepted or still in the listen backlog), from /proc/net/tcp."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    if local_port == port and fields[3] in ("01", "08"):
                        count += 1
        except FileNotFoundError:
            continue
    return count


def wait_for_drained_server(port: int, max_wait: float = 20, interval: float = 0.05) -> float:
    """After a warm-up, wait (bounded) until the server has answered or dropped every
    request wrk left behind; returns the seconds waited."""
    started = time.monotonic()
    while server_connections(port) and time.monotonic() - started < max_wait:
        time.sleep(interval)
    return time.monotonic() - started


def wait_for_idle(max_wait: float, busy_below: float = 0.15, window: float = 0.5) -> tuple[float, float]:
    """Wait (at most `max_wait` seconds) until the machine's CPUs are < `busy_below` busy
    over `window`; returns (seconds waited, last busy fraction). Call while idle yourself."""
    started = time.monotonic()
    while True:
        busy0, total0, _ = system_cpu()
        time.sleep(window)
        busy1, total1, _ = system_cpu()
        fraction = (busy1 - busy0) / max(1, total1 - total0)
        waited = time.monotonic() - started
        if fraction < busy_below or waited >= max_wait:
            return waited, fraction
