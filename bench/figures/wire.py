"""Over the wire: the deployed server under wrk, the public project list against a no-op view.

What is timed
  server   gunicorn as docs/deploy.md runs it: `gunicorn portal.wsgi --worker-class sync
           --workers 2×CPUs+1 --timeout 30`, bound to 127.0.0.1 on a free port, with production
           settings from the environment (DEBUG off; plain HTTP, as behind the TLS proxy) on
           the bench's PostgreSQL and Redis, plus the bench's no-op endpoints (bench/settings.py).
  load     wrk (Debian's package): one thread and as many connections as workers, DURATION
           seconds per target, the two targets taking turns in as many rounds as the bench's
           --repeat (5 by default), after a one-second warm-up each. Every request carries its
           own X-Forwarded-For and the server trusts one proxy (PROXY_COUNT=1), as if many
           anonymous clients came through the province's gateway: each is throttled at the
           production rate (120/minute) and none is refused.
  list     GET /api/v1/projects/: the public's first page of 50 approved projects.
  no-op    GET /api/bench/floor/anonymous/: the anonymous DRF no-op (the same middleware, session
           check and throttle, an empty page).
The figure is the list's requests per second as a fraction of the no-op's (goal ≥ 0.3) and
both p99 latencies (wrk --latency). The fraction is the median of each round's: the list's
requests per second over the no-op's measured right after it. On a shared two-core machine the
no-op's rate alone swung by half from one round to the next; a round's pair sees the same
machine, and the median of five pairs is what a reader can compare between runs. A non-2xx
answer or a socket error fails it. The server is stopped when the figure ends, whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from bench import data
from bench.core import Context, Figure, Row, duration
from bench.figures import projects as library
from portal.models import Country, Membership, Organization, User
from projects.models import Project

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LIST = "/api/v1/projects/"
NOOP = "/api/bench/floor/anonymous/"
DURATION = 3  # seconds of load per target and round
WARMUP = 1
MIN_FRACTION = 0.3
START_TIMEOUT = 60
# Each request from its own client address, as a proxy in front would forward them.
WRK_SCRIPT = """
local n = 0
request = function()
  n = n + 1
  local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = address })
end
"""


@dataclass
class State:
    projects: int


@dataclass
class Load:
    """One wrk run: requests per second, p99 latency (s), requests, and what went wrong."""

    rps: float
    p99: float
    requests: int
    failures: int  # non-2xx/3xx answers plus socket errors


def setup(ctx: Context) -> State:
    """The project library as the projects figure builds it."""
    data.load_countries()
    orgs = data.organisations(ctx.n(library.ORGANISATIONS, minimum=10))
    count = data.copy_projects(
        data.project_rows(
            ctx.n(library.PROJECTS, minimum=1000),
            organization_ids=[org.pk for org in orgs],
            countries=data.project_countries(library.COUNTRIES),
            end=timezone.now(),
        )
    )
    data.vacuum_analyze(Project, Organization, Country, User, Membership)
    return State(projects=count)


def measure(ctx: Context, state: State) -> list[Row]:
    if shutil.which("wrk") is None:
        return [
            Row(
                label="wire: wrk is not installed",
                samples=[0.0],
                checks={"wrk installed": False},
                notes=["install it with scripts/system-packages.sh --bench (make bench does)"],
            )
        ]
    workers = 2 * (os.cpu_count() or 1) + 1
    rounds = max(1, ctx.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-wire-") as tmp:
        script = Path(tmp) / "clients.lua"
        script.write_text(WRK_SCRIPT)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        server = _start(workers=workers, port=port, log=Path(tmp) / "gunicorn.log")
        try:
            _wait_until_up(server, port, log=Path(tmp) / "gunicorn.log")
            for path in (LIST, NOOP):
                _check(port, path)
                _wrk(base + path, seconds=WARMUP, connections=workers, script=script)
            loads: dict[str, list[Load]] = {LIST: [], NOOP: []}
            for _ in range(rounds):
                for path, runs in loads.items():
                    runs.append(_wrk(base + path, seconds=DURATION, connections=workers, script=script))
        finally:
            _stop(server)

    lists, noops = loads[LIST], loads[NOOP]
    list_rps = statistics.median(run.rps for run in lists)
    noop_rps = statistics.median(run.rps for run in noops)
    fractions = [lst.rps / noop.rps for lst, noop in zip(lists, noops, strict=True)]
    fraction = statistics.median(fractions)
    list_p99 = max(run.p99 for run in lists)
    noop_p99 = max(run.p99 for run in noops)
    failures = sum(run.failures for run in lists + noops)
    setting = f"gunicorn sync × {workers} workers, wrk -t1 -c{workers} -d{DURATION}s × {rounds} rounds per target"
    return [
        Row(
            label=f"wire: public list {list_rps:,.0f} req/s, {fraction:.2f} of the no-op's ({noop_rps:,.0f})",
            samples=[1 / run.rps for run in lists],
            reference=[1 / run.rps for run in noops],
            checks={f"≥ {MIN_FRACTION:g} of the no-op's req/s": fraction >= MIN_FRACTION, "all 2xx": failures == 0},
            notes=[
                f"GET {LIST} (first page of 50, anonymous; {state.projects:,} projects) against GET {NOOP}, "
                f"over loopback to the deployed server: {setting}; the median and reference columns are "
                "seconds per request (1 / req/s), so the ratio is the inverse of the fraction",
                "req/s per round, list: "
                + ", ".join(f"{run.rps:,.0f}" for run in lists)
                + "; no-op: "
                + ", ".join(f"{run.rps:,.0f}" for run in noops),
                "the fraction is the median of the rounds' (list over the no-op right after it): "
                + ", ".join(f"{f:.2f}" for f in fractions),
                f"non-2xx answers and socket errors: {failures}",
            ],
        ),
        Row(
            label=f"wire: p99 latency, list {duration(list_p99)} / no-op {duration(noop_p99)}",
            samples=[run.p99 for run in lists],
            reference=[run.p99 for run in noops],
            notes=[f"wrk --latency, the worst round of each; {workers} connections, one per worker"],
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _start(*, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": HOST,
        "PROXY_COUNT": "1",
        "ANON_THROTTLE_RATE": "120/minute",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--worker-class", "sync"]
    command += ["--workers", str(workers), "--bind", f"{HOST}:{port}", "--timeout", "30"]
    with log.open("wb") as out:
        # Its own process group, so that stopping it stops its workers too.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_until_up(server: subprocess.Popen, port: int, *, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if _get(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def _check(port: int, path: str) -> None:
    status, body = _get(port, path)
    assert status == 200 and "results" in json.loads(body), (path, status, body[:300])


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": "10.255.255.255"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _wrk(url: str, *, seconds: int, connections: int, script: Path) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(result.stdout)


def parse_wrk(output: str) -> Load:
    """The numbers of `wrk --latency` output."""
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)[1])
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
    requests = int(re.search(r"^\s+(\d+) requests in", output, re.M)[1])
    failures = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        failures += int(match[1])
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        failures += sum(int(n) for n in match.groups())
    return Load(rps=rps, p99=float(value) * _UNITS[unit], requests=requests, failures=failures)


FIGURE = Figure(
    name="wire",
    title="the deployed server (gunicorn, sync workers) under wrk on loopback",
    goal="the public project list serves ≥ 0.3 of the requests per second of a no-op view; p99 printed",
    setup=setup,
    measure=measure,
)
