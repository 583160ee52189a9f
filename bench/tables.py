"""Plain-text tables and the summary statistics of the tuned benchmarks (bench/tune_bench.py)."""

import math


def fmt(value, spec=".3f", suffix=""):
    return "-" if value is None else f"{value:{spec}}{suffix}"


def ratio(numerator, denominator):
    """numerator / denominator, or None when either is missing or zero."""
    if not numerator or not denominator:
        return None
    return numerator / denominator


def geomean(values):
    """Geometric mean of the positive values present, or None when there are none."""
    values = [v for v in values if v]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def print_table(title, columns, rows, notes=()):
    """columns: (header, key, format spec, suffix); rows: dicts. Missing values print '-'."""
    cells = [[header for header, *_ in columns]]
    for row in rows:
        cells.append([v if isinstance(v := row.get(key), str) else fmt(v, spec, suffix)
                      for _, key, spec, suffix in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]

    def line(values):
        # The first column (a name) is left-aligned, figures right-aligned.
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths)))

    print()
    print(title)
    print(line(cells[0]))
    print("-" * len(line(cells[0])))
    for values in cells[1:]:
        print(line(values))
    for note in notes:
        print(note)
