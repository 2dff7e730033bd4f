"""A small HTTP load generator for the benchmarks, on asyncio and aiohttp.

Why not a well-known one: ``wrk`` and ``oha`` are not Python packages, and locust brings
gevent and its own Flask into the environment the portal runs from. What the benchmarks
need is small: keep N connections busy for a bounded time (closed loop), or send requests
at a fixed rate however slowly they are answered (open loop), with a different cookie and
token per request, and count what came back as expected. Requests are never redirected:
the answer itself (a 200 page, the 302 after a submission) is what is checked.

The generator runs on the same machine as the server and takes CPU from it; the
benchmarks report its CPU time beside the figures, and measure their references with it
in the same way.
"""

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None


# Says whether an answer (status, headers) is the one the request should get.
Check = Callable[[int, Any], bool]
# The next request to send, or None when there is nothing left to send (drafts used up).
Source = Callable[[], Request | None]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: int = 0
    errors: int = 0
    sent_at: list[float] = field(default_factory=list)

    def figures(self, seconds: float, cpu_seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        done = len(ordered)
        return {
            "seconds": round(seconds, 2),
            "requests": done,
            "expected": done - self.unexpected,
            "unexpected": self.unexpected,
            "errors": self.errors,
            "per_second": round((done - self.unexpected) / seconds, 1) if seconds else 0.0,
            "median_ms": round(statistics.median(ordered) * 1000, 1) if done else None,
            "p95_ms": round(_p95(ordered) * 1000, 1) if done else None,
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
            "generator_cpu_seconds": round(cpu_seconds, 2),
        }


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _send(
    client: aiohttp.ClientSession, base: str, request: Request, check: Check, tally: Tally
) -> None:
    started = time.perf_counter()
    try:
        async with client.request(
            request.method,
            base + request.path,
            headers=request.headers,
            data=request.data,
            allow_redirects=False,
        ) as response:
            await response.read()
            expected = check(response.status, response.headers)
            tally.statuses[response.status] += 1
    except (aiohttp.ClientError, TimeoutError):
        tally.errors += 1
        return
    tally.latencies.append(time.perf_counter() - started)
    if not expected:
        tally.unexpected += 1


def _client(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, force_close=False),
        cookie_jar=aiohttp.DummyCookieJar(),  # each request brings its own cookie
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def _closed_loop(
    base: str, source: Source, check: Check, connections: int, seconds: float
) -> tuple[Tally, float]:
    tally = Tally()
    async with _client(connections) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def user() -> None:
            while time.perf_counter() < deadline and (request := source()) is not None:
                await _send(client, base, request, check, tally)

        await asyncio.gather(*(user() for _ in range(connections)))
        return tally, time.perf_counter() - started


async def _open_loop(
    base: str, source: Source, check: Check, rate: float, count: int
) -> tuple[Tally, float]:
    tally = Tally()
    async with _client(1000) as client:
        started = time.perf_counter()
        pending = []
        for n in range(count):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            request = source()
            if request is None:
                break
            tally.sent_at.append(time.perf_counter())
            pending.append(asyncio.ensure_future(_send(client, base, request, check, tally)))
        sending = time.perf_counter() - started
        await asyncio.gather(*pending)
        return tally, sending


def closed_loop(
    base: str, source: Source, check: Check, *, connections: int, seconds: float
) -> dict[str, Any]:
    """Keep ``connections`` requests in flight for ``seconds`` (or until ``source`` runs
    dry): the throughput the server sustains."""
    cpu = time.process_time()
    tally, elapsed = asyncio.run(_closed_loop(base, source, check, connections, seconds))
    return tally.figures(elapsed, time.process_time() - cpu)


def open_loop(
    base: str, source: Source, check: Check, *, rate: float, count: int
) -> dict[str, Any]:
    """Send ``count`` requests at ``rate`` a second, each on time whatever the answers
    before it took; the rate achieved is over the sending, the latencies over all."""
    cpu = time.process_time()
    tally, sending = asyncio.run(_open_loop(base, source, check, rate, count))
    figures = tally.figures(sending, time.process_time() - cpu)
    sent = len(tally.sent_at)
    figures["achieved_rate_per_second"] = round(sent / sending, 1) if sending else 0.0
    return figures
