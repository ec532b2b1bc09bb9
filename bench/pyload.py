"""A bounded load generator in Python, used by bench/run.py when `wrk` is not installed.

One process per connection (at most `connections`), each sending requests back to back over a
keep-alive http.client connection (reopened when the server closes it) until the deadline. The
result has the same keys as the BENCH_RESULT line of bench/wrk.lua.
"""

import http.client
import multiprocessing
import time
import urllib.parse


def _worker(url: str, method: str, headers: dict, form: str, duration: float, worker_id: int, queue) -> None:
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    counts = {"s2xx": 0, "s3xx": 0, "s4xx": 0, "s5xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
    connection = None
    deadline = time.perf_counter() + duration
    sent = 0
    while time.perf_counter() < deadline:
        if connection is None:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        body = None
        request_headers = dict(headers)
        if method == "POST":
            sent += 1
            body = form.replace("{n}", f"{worker_id}-{time.time_ns()}-{sent}").encode()
            request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, target, body=body, headers=request_headers)
            response = connection.getresponse()
            response.read()
        except TimeoutError:
            counts["timeout"] += 1
            connection.close()
            connection = None
            continue
        except (ConnectionError, http.client.HTTPException, OSError):
            counts["read"] += 1
            connection.close()
            connection = None
            continue
        latencies.append(time.perf_counter() - started)
        counts[f"s{min(max(response.status // 100, 2), 5)}xx"] += 1
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()
    queue.put((latencies, counts))


def run(url: str, method: str, headers: dict, form: str, duration: float, connections: int) -> dict:
    """Load `url` for `duration` seconds with `connections` concurrent clients; return the summary."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_worker, args=(url, method, headers, form, duration, i, queue), daemon=True)
        for i in range(connections)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    totals = {"s2xx": 0, "s3xx": 0, "s4xx": 0, "s5xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
    for _ in workers:
        worker_latencies, counts = queue.get(timeout=duration + 120)
        latencies.extend(worker_latencies)
        for key, value in counts.items():
            totals[key] += value
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> int:
        if not latencies:
            return 0
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1_000_000)

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1_000_000),
        "p50_us": percentile(50),
        "p90_us": percentile(90),
        "p99_us": percentile(99),
        "max_us": int(latencies[-1] * 1_000_000) if latencies else 0,
        "status_errors": totals["s4xx"] + totals["s5xx"],
        **totals,
    }
