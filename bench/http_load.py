"""A small load generator for the HTTP benchmark: C keep-alive HTTP/1.1 connections on one asyncio loop,
driven either closed-loop (each client sends its next request when the previous answer is in) or
open-loop (a fixed arrival schedule at R requests/s, spread over the C connections; latency counted from
the scheduled send time, so a server that falls behind is charged for the wait — no coordinated omission).

Hand-written instead of httpx: the load generator shares the machine's two cores with the server, and a
thread per client spends more CPU (and GIL waits, which would count as latency) than the server does.
The server side is untouched: uvicorn, the app, its real routes.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

Request = tuple[str, str, dict[str, Any] | None, str]  # method, path, JSON body or None, bearer token


class Conn:
    """One keep-alive connection; requests on it are sequential."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, req: Request) -> tuple[int, bytes]:
        method, path, body, token = req
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        assert self.reader is not None and self.writer is not None
        self.writer.write(head.encode() + data)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise RuntimeError("chunked responses are not expected from these routes")
        payload = await self.reader.readexactly(length) if length else b""
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds
    started: float = 0.0
    ended: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile in milliseconds (nearest rank)."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s), max(1, math.ceil(p / 100 * len(s)))) - 1] * 1000


async def _connections(host: str, port: int, n: int) -> list[Conn]:
    conns = [Conn(host, port) for _ in range(n)]
    await asyncio.gather(*(c.open() for c in conns))
    return conns


def _check(status: int, payload: bytes, run: Run) -> None:
    if status >= 400:
        run.errors.append(f"{status} {payload[:200].decode(errors='replace')}")


Job = Callable[[Conn], Awaitable[tuple[int, bytes]]]


def single(req: Request) -> Job:
    return lambda conn: conn.request(req)


async def closed_loop(host: str, port: int, clients: int, jobs: Sequence[Job]) -> Run:
    """`clients` connections, each starting its next job (one or more requests) as soon as its previous
    one is answered."""
    conns = await _connections(host, port, clients)
    run = Run()
    it = iter(jobs)
    loop = asyncio.get_running_loop()

    async def client(conn: Conn) -> None:
        for job in it:  # a shared iterator: whoever is free takes the next job
            t = loop.time()
            status, payload = await job(conn)
            run.latencies.append(loop.time() - t)
            _check(status, payload, run)

    run.started = loop.time()
    await asyncio.gather(*(client(c) for c in conns))
    run.ended = loop.time()
    for c in conns:
        c.close()
    return run


async def open_loop(host: str, port: int, clients: int, rate: float, requests: Sequence[Request]) -> Run:
    """Request i is due at start + i/rate; the first free connection sends it (at once if it is late).
    Latency runs from the due moment to the answer, so queueing behind a slow server is counted."""
    conns = await _connections(host, port, clients)
    run = Run()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    next_i = 0

    async def client(conn: Conn) -> None:
        nonlocal next_i
        while next_i < len(requests):
            i = next_i
            next_i += 1
            due = start + i / rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            status, payload = await conn.request(requests[i])
            run.latencies.append(loop.time() - due)
            _check(status, payload, run)

    run.started = start
    await asyncio.gather(*(client(c) for c in conns))
    run.ended = loop.time()
    for c in conns:
        c.close()
    return run


async def fetch_json(host: str, port: int, req: Request) -> Any:
    (conn,) = await _connections(host, port, 1)
    try:
        status, payload = await conn.request(req)
    finally:
        conn.close()
    if status >= 400:
        raise RuntimeError(f"{req[0]} {req[1]}: {status} {payload[:300]!r}")
    return json.loads(payload)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop (uvloop's when installed)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def process_cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) of a process and its children now alive (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = {root_pid}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == root_pid:  # ppid
                pids.add(int(entry))
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def now() -> float:
    return time.perf_counter()


def wait_until_up(host: str, port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.time() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
