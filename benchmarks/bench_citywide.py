"""Time `dps-olx build` for Hà Nội's 126 units and for 1,260 synthetic ones.

Not a test: it prints the wall time of whole builds (best of --repeat runs), the share spent in
the validator, and the output size, so that the cost can be seen to grow linearly with the
number of units. The target is all 126 packages in under 3 s on a 2-core machine.

    .venv/bin/python benchmarks/bench_citywide.py [--repeat 3] [--scale 10] [--jobs 1,2]
"""

import argparse
import csv
import io
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from dps_xblocks.olx import citywide
from dps_xblocks.olx.citywide_check import load_package_validator

PROJECT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT / "courses_olx" / "dps_hanoi_vi"
UNITS = PROJECT / "data" / "hanoi_units_2025.csv"


def synthetic_units(path: Path, copies: int) -> int:
    """Write `copies` renamed copies of the real units list to `path`; the number of units."""
    with open(UNITS, newline="", encoding="utf-8") as stream:
        real = list(csv.DictReader(stream))
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(("code", "name_vi", "type"))
        for copy in range(1, copies + 1):
            for unit in real:
                writer.writerow((f"{copy:02d}{unit['code']}", f"{unit['name_vi']} {copy}",
                                 unit["type"]))
    return copies * len(real)


class TimedValidator:
    """Wraps the package validator to add up the time spent in it."""

    def __init__(self, validate):
        self.validate = validate
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, contents):
        start = time.perf_counter()
        try:
            return self.validate(contents)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def time_build(units_file: Path, work: Path, validate, layout: str,
               jobs: int) -> tuple[float, float, int]:
    """One build: (wall seconds, seconds in the validator of this process, output bytes)."""
    output = work / f"out-{time.monotonic_ns()}"
    parser = argparse.ArgumentParser()
    citywide.add_arguments(parser)
    args = parser.parse_args(["--source", str(SOURCE), "--units-file", str(units_file),
                              "--layout", layout, "--output", str(output),
                              "--jobs", str(jobs)])
    timed = TimedValidator(validate)
    start = time.perf_counter()
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as errors:
        code = citywide.run(args, validate=timed)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"build failed ({code}): {errors.getvalue().strip()}")
    size = sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    return elapsed, timed.seconds, size


def main() -> int:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best counts")
    parser.add_argument("--scale", type=int, default=10, help="copies of the list (default 10)")
    parser.add_argument("--jobs", default="1,2", help="worker counts to compare (default 1,2)")
    options = parser.parse_args()
    worker_counts = [int(count) for count in options.jobs.split(",")]

    validate = load_package_validator()
    print(f"dps-olx build, best of {options.repeat}, every package validated")

    with tempfile.TemporaryDirectory(prefix="bench-citywide-") as folder:
        work = Path(folder)
        big = work / "units.csv"
        count_big = synthetic_units(big, options.scale)
        cases = [("per-unit", UNITS, 126), ("per-unit", big, count_big), ("cohorts", UNITS, 126)]
        for jobs in worker_counts:
            walls = {}
            for layout, units_file, count in cases:
                runs = [time_build(units_file, work, validate, layout, jobs)
                        for _ in range(options.repeat)]
                wall, in_validator, size = min(runs)
                walls[(layout, count)] = wall
                packages = count if layout == "per-unit" else 1
                validator = f", validator {in_validator:5.2f} s" if jobs == 1 else ""
                print(f"jobs={jobs} {layout:8} {count:5} units: {wall:6.2f} s "
                      f"({1000 * wall / packages:5.1f} ms/package{validator}), "
                      f"{size / 1e6:6.2f} MB")
            ratio = walls[("per-unit", count_big)] / walls[("per-unit", 126)]
            print(f"jobs={jobs} {count_big:,} / 126 units: {ratio:.1f}x the time for "
                  f"{count_big / 126:.0f}x the units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
