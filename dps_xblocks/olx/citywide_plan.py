"""The plan of a city-wide build: every input read and checked, every package spelled out.

`make_plan` turns the command line into a `BuildPlan` or raises `InputError`; once a plan
exists, building it can only fail on validation or on writing files. Each package gets its
course key, display name, dates and about-page section here.
"""

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from dps_xblocks.olx.citywide_about import city_section, unit_section
from dps_xblocks.olx.citywide_archive import archive_mtime
from dps_xblocks.olx.citywide_course import CourseTarget, SourceCourse, read_source_course
from dps_xblocks.olx.citywide_units import (
    KEY_PART,
    InputError,
    Unit,
    ascii_slug,
    parse_unit_codes,
    read_support_points,
    read_units,
    select_units,
)

DEFAULT_SOURCE = Path("courses_olx/dps_hanoi_vi")
DEFAULT_UNITS = Path("data/hanoi_units_2025.csv")
DEFAULT_OUTPUT = Path("out/citywide")
DEFAULT_ORG = "HanoiDPS"
DEFAULT_RUN_PREFIX = "2026-"
SHARED_RUN_NAME = "hanoi"
LAYOUTS = ("per-unit", "cohorts")
# The shared run's manifest row: Hà Nội itself, province code 01 in the national list.
CITY_CODE, CITY_NAME, CITY_TYPE = "01", "Thành phố Hà Nội", "city"


@dataclass(frozen=True)
class PackageSpec:
    """One package to build: what the manifest says of it and the course it holds."""

    code: str
    name_vi: str
    type: str
    label: str
    target: CourseTarget


@dataclass
class BuildPlan:
    """Everything the build needs, checked; building it can only fail on validation or I/O."""

    source: SourceCourse
    layout: str
    packages: list[PackageSpec]
    units: list[Unit]
    output: Path
    mtime: int
    org: str
    number: str
    workers: int = 1
    validate: object = None  # each package's validator; the project's validate_files when None


@dataclass(frozen=True)
class SharedSettings:
    """The checked options every package of a build shares."""

    org: str
    number: str
    run_prefix: str
    start: str | None
    end: str | None

    def target(self, slug: str, display_name: str, about: str,
               cohorts: dict | None = None) -> CourseTarget:
        """The course of one package, whose run is the prefix and `slug`."""
        return CourseTarget(org=self.org, number=self.number, run=self.run_prefix + slug,
                            display_name=display_name, about_section=about, start=self.start,
                            end=self.end, cohort_config=cohorts)


def make_plan(args: argparse.Namespace) -> BuildPlan:
    """Read and check every input; the packages to build. Raises InputError."""
    source = read_source_course(args.source)
    shared = _shared_settings(args, source)
    try:
        mtime = archive_mtime()
    except ValueError as error:
        raise InputError(str(error)) from None

    all_units = read_units(args.units_file)
    wanted = parse_unit_codes(args.units) if args.units is not None else None
    units = select_units(all_units, wanted, args.units_file)
    points = read_support_points(args.support_points, all_units) if args.support_points else {}

    if args.layout == "cohorts":
        city = shared.target(SHARED_RUN_NAME, source.display_name,
                             city_section(units, points), {"cohorted": True})
        packages = [PackageSpec(CITY_CODE, CITY_NAME, CITY_TYPE,
                                f"{CITY_NAME} ({len(units)} cohorts)", city)]
    else:
        packages = [
            PackageSpec(unit.code, unit.name_vi, unit.type, unit.name_vi,
                        shared.target(slug, f"{source.display_name} — {unit.name_vi}",
                                      unit_section(unit, points.get(unit.code))))
            for unit, slug in _unit_slugs(units, args.run_prefix)
        ]
    return BuildPlan(source, args.layout, packages, units, args.output, mtime,
                     shared.org, shared.number, workers=args.jobs)


def _shared_settings(args: argparse.Namespace, source: SourceCourse) -> SharedSettings:
    """Check the options that apply to every package."""
    org = _key_part("--org", args.org)
    number = _key_part("--number", args.number or source.number)
    prefix = args.run_prefix
    if prefix and not KEY_PART.fullmatch(prefix):
        raise InputError(f"--run-prefix {prefix!r} may only hold ASCII letters, digits, _ . -")
    start = parse_iso_datetime("--start", args.start)
    end = parse_iso_datetime("--end", args.end)
    _check_dates(start or _source_date(source.start), end or _source_date(source.end))
    if args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: give 1 or more worker processes")
    _check_source_and_output_apart(args.source, args.output)
    return SharedSettings(org, number, prefix, start, end)


def _check_source_and_output_apart(source: Path, output: Path) -> None:
    """Refuse an output inside the source course, or a source inside the output.

    The output is replaced whole when the build succeeds, so a source course inside it would
    be deleted; an output inside the source would end up in the next build's packages.
    """
    source_path, output_path = source.resolve(), output.resolve()
    if output_path.is_relative_to(source_path):
        raise InputError(f"--output {output} is inside the source course; choose a "
                         f"folder outside {source}")
    if source_path.is_relative_to(output_path):
        raise InputError(f"--source {source} is inside --output {output}, which the build "
                         f"replaces whole, deleting the source; move the source course out "
                         f"of it or choose another --output")


def _key_part(option: str, value: str) -> str:
    """`value` if it can be part of a course key, else an InputError."""
    if not KEY_PART.fullmatch(value or ""):
        raise InputError(
            f"{option} {value!r} cannot be part of a course key; use ASCII letters, digits, "
            f"_ . - (no spaces, / or +)"
        )
    return value


def _unit_slugs(units: list[Unit], prefix: str) -> list[tuple[Unit, str]]:
    """Each unit with the slug its run ends with, refusing two units that would share a run."""
    taken: dict[str, Unit] = {}
    pairs = []
    for unit in units:
        slug = ascii_slug(unit.name_vi)
        if slug in taken:
            other = taken[slug]
            raise InputError(
                f"units {other.code} ({other.name_vi}, line {other.line}) and {unit.code} "
                f"({unit.name_vi}, line {unit.line}) both give the course run {prefix}{slug}; "
                f"their names differ only in accents — correct the units file"
            )
        taken[slug] = unit
        pairs.append((unit, slug))
    return pairs


def parse_iso_datetime(option: str, value: str | None) -> str | None:
    """An ISO date or date-time as Open edX writes it (`2026-01-01T00:00:00Z`), or None."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    except ValueError:
        raise InputError(
            f"{option} {value!r} is not an ISO date; write 2026-09-01 or 2026-09-01T08:00:00Z"
        ) from None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source_date(value: str | None) -> str | None:
    """A date of the source course in the build's form; None if absent or unreadable (the
    validator reports an unreadable one)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_iso_datetime("source", value)
    except InputError:
        return None


def _check_dates(start: str | None, end: str | None) -> None:
    """Refuse a course that would end before it starts (both in the build's UTC form)."""
    if start and end and end <= start:
        raise InputError(
            f"the course would end ({end}) before it starts ({start}); check --start and --end "
            f"against the source course's dates"
        )
