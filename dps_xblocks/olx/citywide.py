"""`dps-olx build`: one Open edX import package per ward and commune of Hà Nội.

The source course and the list of units go in; out come one `.tar.gz` per unit (course key,
display name and about page naming the unit and its support point), a manifest in CSV and
JSON, and the scripts that import them all. With `--layout cohorts`, one shared course run
with a cohort per unit instead. The output is byte-for-byte reproducible and appears whole or
not at all. Bad input is one line on stderr and exit code 2; a package that fails validation
stops the build with exit code 1, naming the unit; Ctrl-C, SIGTERM or SIGHUP stop it with
nothing written, exit code 128 + the signal's number. See docs/citywide-build.md.
"""

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path

from dps_xblocks.olx import citywide_output as output_files
from dps_xblocks.olx.citywide_check import BuildError, check_source, describe, load_validate_course
from dps_xblocks.olx.citywide_plan import (
    DEFAULT_ORG,
    DEFAULT_OUTPUT,
    DEFAULT_RUN_PREFIX,
    DEFAULT_SOURCE,
    DEFAULT_UNITS,
    LAYOUTS,
    BuildPlan,
    make_plan,
)
from dps_xblocks.olx.citywide_pool import default_jobs, make_packages
from dps_xblocks.olx.citywide_progress import Progress
from dps_xblocks.olx.citywide_signals import stop_reason, stop_signals
from dps_xblocks.olx.citywide_staging import StagingFolder, check_output_location
from dps_xblocks.olx.citywide_units import InputError

EXIT_BAD_INPUT = 2
EXIT_BUILD_FAILED = 1
PROG = "dps-olx build"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `dps-olx build`."""
    parser.description = (
        "Build one Open edX import package per ward and commune of Hà Nội, a manifest and "
        "the scripts that import them (see docs/citywide-build.md)."
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, metavar="DIR",
                        help=f"the course folder, as Studio exports it (default {DEFAULT_SOURCE})")
    parser.add_argument("--units-file", type=Path, default=DEFAULT_UNITS, metavar="CSV",
                        help=f"units list: code,name_vi,type (default {DEFAULT_UNITS})")
    parser.add_argument("--support-points", type=Path, metavar="CSV",
                        help="support point per unit: code,address,phone,opening_hours,"
                             "contact_role (default: none known)")
    parser.add_argument("--units", metavar="CODE[,CODE...]",
                        help="build only these units (default: all)")
    parser.add_argument("--org", default=DEFAULT_ORG,
                        help=f"course key org (default {DEFAULT_ORG})")
    parser.add_argument("--number", help="course key number (default: course.xml's course)")
    parser.add_argument("--run-prefix", default=DEFAULT_RUN_PREFIX, metavar="PREFIX",
                        help=f"run = prefix + ASCII slug of the unit name (default "
                             f"{DEFAULT_RUN_PREFIX!r}: {DEFAULT_RUN_PREFIX}phuong-ba-dinh)")
    parser.add_argument("--start", metavar="DATE",
                        help="course start, ISO date or date-time (default: the source's)")
    parser.add_argument("--end", metavar="DATE",
                        help="course end, ISO date or date-time (default: the source's)")
    parser.add_argument("--layout", choices=LAYOUTS, default="per-unit",
                        help="per-unit: one course run per unit (default); cohorts: one shared "
                             "run with a cohort per unit")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"output folder, replaced whole when the build succeeds "
                             f"(default {DEFAULT_OUTPUT})")
    parser.add_argument("--jobs", type=int, default=default_jobs(), metavar="N",
                        help=f"worker processes; the output is the same for any N "
                             f"(default {default_jobs()}, the CPUs available up to 4)")


def run(args: argparse.Namespace, validate=None) -> int:
    """Build the packages described by `args`; the exit code of the command.

    `validate` replaces the validator of each package, the project's `validate_files` (tests
    use it); None means the real one. The source course is always checked with
    `validate_course`.
    Ctrl-C, SIGTERM and SIGHUP stop the build with nothing written, exit code 128 + signal.
    """
    with stop_signals():
        try:
            return _run(args, validate)
        except KeyboardInterrupt as stop:
            reason, code = stop_reason(stop)
            return _fail(f"{reason}; {args.output} was not changed", code)


def _run(args: argparse.Namespace, validate) -> int:
    try:
        plan = make_plan(args)
        plan.validate = validate
        check_output_location(plan.output)
    except InputError as error:
        return _fail(str(error), EXIT_BAD_INPUT)
    try:
        rows = build(plan, Progress(len(plan.packages)))
    except InputError as error:
        return _fail(str(error), EXIT_BAD_INPUT)
    except BuildError as error:
        return _fail(str(error), EXIT_BUILD_FAILED)

    total = sum(row.size_bytes for row in rows)
    print(f"{len(rows)} package(s), {total:,} bytes, in {plan.output}; "
          f"import them with {plan.output / 'import_all.sh'}")
    return 0


def _fail(message: str, code: int) -> int:
    """Report `message` as one line on stderr and return `code`."""
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def build(plan: BuildPlan, progress: Progress) -> list[output_files.ManifestRow]:
    """Build every package into a staging folder and put it in place; the manifest rows."""
    check_source(plan.source, load_validate_course())

    with StagingFolder(plan.output) as staging:
        try:
            rows = _build_packages(plan, staging.path, progress)
            _write_extras(plan, rows, staging.path)
            staging.publish()
        except OSError as error:
            raise BuildError(f"writing the output {plan.output} failed: {error}") from None
    return rows


def _build_packages(plan: BuildPlan, folder: Path, progress: Progress):
    """Make, validate and write every package into `folder`; the manifest rows."""
    (folder / "packages").mkdir()
    targets = [spec.target for spec in plan.packages]
    results = make_packages(plan.source, targets, plan.validate, plan.mtime, plan.workers)
    rows = []
    with closing(results):
        try:
            for done, spec in enumerate(plan.packages, start=1):
                try:
                    package, errors = next(results)
                except OSError as error:
                    raise BuildError(f"unit {spec.code} {spec.name_vi}: {error}") from None
                except BrokenProcessPool:
                    raise BuildError(
                        f"unit {spec.code} {spec.name_vi}: a worker process was killed (out of "
                        f"memory, or by a signal); build again, with --jobs 1 if it recurs"
                    ) from None
                if errors:
                    raise BuildError(
                        f"unit {spec.code} {spec.name_vi} ({spec.target.course_key}): the "
                        f"package does not pass validation: {describe(errors)}"
                    )
                name = f"packages/{spec.target.run}.tar.gz"
                (folder / name).write_bytes(package.data)
                rows.append(output_files.ManifestRow(
                    spec.code, spec.name_vi, spec.type, spec.target.course_key, name,
                    package.size, package.sha256,
                ))
                progress.update(done, spec.label)
        finally:
            progress.finish()
    return rows


def _write_extras(plan: BuildPlan, rows, folder: Path) -> None:
    """The manifest, the import scripts and, for the cohort layout, the cohort files."""
    (folder / "manifest.csv").write_bytes(output_files.manifest_csv(rows))
    (folder / "manifest.json").write_bytes(output_files.manifest_json(rows, plan.layout))
    entries = [(spec.code, spec.target.run, spec.name_vi) for spec in plan.packages]
    for name, tutor in (("import_all.sh", False), ("import_all_tutor.sh", True)):
        script = folder / name
        script.write_bytes(output_files.import_script(entries, plan.org, plan.number, tutor))
        script.chmod(output_files.SCRIPT_MODE)
    if plan.layout == "cohorts":
        course_key = plan.packages[0].target.course_key
        (folder / "cohorts.csv").write_bytes(output_files.cohorts_csv(plan.units))
        (folder / "create_cohorts.py").write_bytes(
            output_files.cohorts_script(course_key, plan.units))
