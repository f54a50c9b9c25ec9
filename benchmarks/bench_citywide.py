"""Time `dps-olx build` for Hà Nội's 126 units and for 1,260 synthetic ones.

Not a test: it prints the wall time of whole builds (best of --repeat runs), each run as the
command a course author types, in a new process, so nothing is kept in memory from one run to
the next; and the output size, so that the cost can be seen to grow linearly with the number
of units. The target is all 126 packages in under 3 s on a 2-core machine.

    .venv/bin/python benchmarks/bench_citywide.py [--repeat 3] [--scale 10] [--jobs 1,2]
"""

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def time_build(units_file: Path, work: Path, layout: str, jobs: int) -> tuple[float, int]:
    """One build in a new process: (wall seconds, output bytes)."""
    output = work / f"out-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "dps_xblocks.olx.cli", "build", "--source", str(SOURCE),
               "--units-file", str(units_file), "--layout", layout, "--output", str(output),
               "--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed ({done.returncode}): {done.stderr.strip()}")
    size = sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    return elapsed, size


def main() -> int:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best counts")
    parser.add_argument("--scale", type=int, default=10, help="copies of the list (default 10)")
    parser.add_argument("--jobs", default="1,2", help="worker counts to compare (default 1,2)")
    options = parser.parse_args()
    worker_counts = [int(count) for count in options.jobs.split(",")]

    print(f"dps-olx build, best of {options.repeat}, a new process each run")

    with tempfile.TemporaryDirectory(prefix="bench-citywide-") as folder:
        work = Path(folder)
        big = work / "units.csv"
        count_big = synthetic_units(big, options.scale)
        cases = [("per-unit", UNITS, 126), ("per-unit", big, count_big), ("cohorts", UNITS, 126)]
        for jobs in worker_counts:
            walls = {}
            for layout, units_file, count in cases:
                runs = [time_build(units_file, work, layout, jobs)
                        for _ in range(options.repeat)]
                wall, size = min(runs)
                walls[(layout, count)] = wall
                packages = count if layout == "per-unit" else 1
                print(f"jobs={jobs} {layout:8} {count:5} units: {wall:6.2f} s "
                      f"({1000 * wall / packages:5.1f} ms/package), {size / 1e6:6.2f} MB")
            ratio = walls[("per-unit", count_big)] / walls[("per-unit", 126)]
            print(f"jobs={jobs} {count_big:,} / 126 units: {ratio:.1f}x the time for "
                  f"{count_big / 126:.0f}x the units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
