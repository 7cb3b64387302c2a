"""The printed report: progress lines per figure, the table, the notes and the summary line."""

from __future__ import annotations

from bench.core import Figure, Row, duration, spread

COLUMNS = ("figure", "median", "reference", "ratio", "goal", "holds?", "queries")


def _verdict(holds: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[holds]


def print_figure_rows(rows: list[Row]) -> None:
    for row in rows:
        line = f"   {row.label}: {duration(row.median)} [{spread(row.samples)}]"
        if row.reference:
            line += f" vs {duration(row.reference_median)} [{spread(row.reference)}]"
        print(line)


def print_table(results: list[tuple[Figure, list[Row]]]) -> None:
    lines = [
        (
            row.label,
            duration(row.median),
            duration(row.reference_median),
            f"{row.ratio:.2f}×" if row.ratio is not None else "-",
            row.goal,
            _verdict(row.holds),
            row.queries,
        )
        for _figure, rows in results
        for row in rows
    ]
    widths = [max(_width(cell) for cell in column) for column in zip(COLUMNS, *lines, strict=False)]
    for cells in [COLUMNS, tuple("-" * w for w in widths), *lines]:
        print("  ".join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip())

    notes = [(row.label, note) for _figure, rows in results for row in rows for note in row.notes]
    if notes:
        print("\nNotes:")
        for label, note in notes:
            print(f"  - {label}: {note}")


def print_summary(results: list[tuple[Figure, list[Row]]], *, elapsed: float) -> None:
    verdicts = {}
    for figure, rows in results:
        judged = [row.holds for row in rows if row.holds is not None]
        verdicts[figure.name] = all(judged)
    failing = [name for name, ok in verdicts.items() if not ok]
    summary = f"bench: {len(verdicts) - len(failing)} of {len(verdicts)} figures hold"
    if failing:
        summary += f"; NOT holding: {', '.join(failing)}"
    print(f"\n{summary} ({elapsed:.0f} s)")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
