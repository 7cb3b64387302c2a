"""What a figure is, what it reports, and the timing helpers every figure uses.

A `Figure` builds a dataset (`setup`) and measures it (`measure`), returning `Row`s. A row
compares the median of a subject's timings with the median of a reference's (usually the same
work done by hand through psycopg2) against a maximum ratio, and may add checks of its own,
such as "the query count does not depend on the page size". A row without a goal is
information only.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Figure:
    """One promised figure: `name` selects it with --only; `goal` quotes the issue."""

    name: str
    title: str
    goal: str
    setup: Callable[[Context], Any]
    measure: Callable[[Context, Any], list[Row]]


@dataclass
class Row:
    """One line of the table: a subject's timings, optionally against a reference's."""

    label: str
    samples: Sequence[float]
    reference: Sequence[float] | None = None
    max_ratio: float | None = None
    queries: str = ""
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def reference_median(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None

    @property
    def ratio(self) -> float | None:
        ref = self.reference_median
        return self.median / ref if ref else None

    @property
    def goal(self) -> str:
        parts = [f"≤ {self.max_ratio:g}×"] if self.max_ratio is not None else []
        parts += list(self.checks)
        return "; ".join(parts) or "(info)"

    @property
    def holds(self) -> bool | None:
        """None when the row has no goal."""
        if self.max_ratio is None and not self.checks:
            return None
        ratio_ok = self.max_ratio is None or (self.ratio is not None and self.ratio <= self.max_ratio)
        return ratio_ok and all(self.checks.values())


@dataclass
class Context:
    """What the command line chose, and the measuring tools figures share."""

    scale: float = 1.0
    repeat: int = 5
    warmup: int = 1
    profile: bool = False
    profile_lines: int = 30

    def n(self, full: int, minimum: int = 1) -> int:
        """A dataset size at the chosen scale."""
        return max(minimum, round(full * self.scale))

    def sample(
        self,
        fn: Callable[[], Any],
        *,
        reset: Callable[[], Any] | None = None,
        inner: int = 1,
        label: str = "",
    ) -> list[float]:
        """Seconds per call of `fn`: `warmup` discarded runs, then `repeat` timed samples.

        `reset` runs before every call, outside the timing (e.g. to delete what the last run
        created), with `inner=1`. A sample is the mean of `inner` calls, which steadies fast
        subjects. With --profile, one more sample runs under cProfile and its hot spots print.
        """
        return self.compare(fn, reset=reset, inner=inner, label=label)[0]

    def compare(
        self,
        subject: Callable[[], Any],
        *references: Callable[[], Any],
        reset: Callable[[], Any] | None = None,
        inner: int = 1,
        label: str = "",
    ) -> list[list[float]]:
        """`sample` for a subject and its references, call by call: [subject's, each reference's].

        A sample of each is the mean of `inner` calls, and the calls are interleaved: the
        subject once, each reference once, the subject again, and so on, each timed on its own.
        This machine's speed swings by half within seconds (other tenants of the host); taking
        turns a sample at a time (`inner` calls of one, then `inner` of the next) left each in
        different weather and the ratios of one process swung from 2.4× to 3.1×, where call by
        call they stayed within 2.25–2.37× while the machine's speed changed 1.7× (inbox, 12-07).
        It is also how a server meets them: requests of different kinds one after another, not
        twenty of one kind with everything warm for it. `reset` runs before every call, outside
        the timing, so it takes `inner=1`. With --profile, the subject is profiled afterwards.
        """
        if reset is not None and inner != 1:
            raise ValueError("compare(reset=...) resets before every call; use inner=1")
        fns = (subject, *references)
        timings: list[list[float]] = [[] for _ in fns]
        for i in range(self.warmup + self.repeat):
            totals = [0.0] * len(fns)
            for _ in range(inner):
                for position, fn in enumerate(fns):
                    if reset is not None:
                        reset()
                    start = time.perf_counter()
                    fn()
                    totals[position] += time.perf_counter() - start
            if i >= self.warmup:
                for samples, total in zip(timings, totals, strict=True):
                    samples.append(total / inner)
        if self.profile and label:
            if reset is not None:
                reset()
            print_profile(subject, label=label, calls=inner, lines=self.profile_lines)
        return timings

    @staticmethod
    def breakdown(fn: Callable[[], Any]) -> Breakdown:
        """Where one call of `fn` spends its time: SQL statements, COMMITs, and the rest."""
        statements: list[tuple[str, float]] = []
        commits: list[float] = []

        def timed_execute(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((sql, time.perf_counter() - start))

        real_commit = connection._commit

        def timed_commit():
            start = time.perf_counter()
            try:
                return real_commit()
            finally:
                commits.append(time.perf_counter() - start)

        with connection.execute_wrapper(timed_execute), mock.patch.object(connection, "_commit", timed_commit):
            start = time.perf_counter()
            fn()
            total = time.perf_counter() - start
        return Breakdown(total=total, statements=statements, commit=sum(commits))

    @staticmethod
    def queries(fn: Callable[[], Any]) -> list[str]:
        """The SQL statements one call of `fn` runs on the default connection."""
        with CaptureQueriesContext(connection) as captured:
            fn()
        return [q["sql"] for q in captured.captured_queries]


_TABLE = re.compile(r'^\s*(SELECT|INSERT|UPDATE|DELETE)\b.*?\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.S | re.I)


@dataclass
class Breakdown:
    """One call's time: in SQL statements (as sent), at COMMIT, and the rest (Python)."""

    total: float
    statements: list[tuple[str, float]]
    commit: float

    @property
    def sql(self) -> float:
        return sum(seconds for _sql, seconds in self.statements)

    @property
    def python(self) -> float:
        return self.total - self.sql - self.commit

    def by_statement(self) -> str:
        """`INSERT portal_delivery 6× 232 ms, ...`, largest first."""
        groups: dict[str, list[float]] = {}
        for sql, seconds in self.statements:
            match = _TABLE.match(sql)
            key = f"{match[1].upper()} {match[2]}" if match else sql.split(None, 1)[0].upper()
            groups.setdefault(key, []).append(seconds)
        ordered = sorted(groups.items(), key=lambda item: -sum(item[1]))
        return ", ".join(f"{key} {len(times)}× {duration(sum(times))}" for key, times in ordered)

    def __str__(self) -> str:
        return (
            f"one call {duration(self.total)} = {duration(self.sql)} in {len(self.statements)} SQL statements "
            f"+ {duration(self.commit)} COMMIT + {duration(self.python)} Python; SQL: {self.by_statement()}"
        )


def print_profile(fn: Callable[[], Any], *, label: str, calls: int = 1, lines: int = 30) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    print(f"\n--- profile: {label} ({calls} call(s), sorted by cumulative time) ---")
    print(out.getvalue().rstrip())


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    return f"{seconds * 1e3:.3g} ms"


def spread(samples: Sequence[float]) -> str:
    """The samples, for the progress lines: `min–max (n)`."""
    return f"{duration(min(samples))}–{duration(max(samples))} (n={len(samples)})"
