"""What the city-wide build writes besides the packages.

The manifest (CSV and JSON) lists every package with its course key, size and SHA-256; the
import scripts run the CMS's own import command on each package, directly or through Tutor;
the cohort layout adds the unit-to-cohort table and a script that creates those cohorts.
Nothing here depends on the time, the machine or the output path, so the files are
reproducible like the packages. A CSV cell that a spreadsheet program would run as a formula
is written as text (see `spreadsheet_safe`).
"""

import csv
import io
import json
import shlex
from dataclasses import asdict, dataclass

from dps_xblocks.olx.citywide_units import Unit

GENERATOR = "dps-olx build"
MANIFEST_COLUMNS = ("code", "name_vi", "type", "course_key", "file", "size_bytes", "sha256")
SCRIPT_MODE = 0o755
# First characters that make a spreadsheet program read a CSV cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where each package is extracted inside the CMS container when importing through Tutor.
TUTOR_MOUNT = "/mnt/dps-course"


@dataclass(frozen=True)
class ManifestRow:
    """One package of the build."""

    code: str
    name_vi: str
    type: str
    course_key: str
    file: str
    size_bytes: int
    sha256: str


def manifest_csv(rows: list[ManifestRow]) -> bytes:
    """The manifest as CSV, one package per row."""
    return _csv_bytes(MANIFEST_COLUMNS,
                      ([getattr(row, column) for column in MANIFEST_COLUMNS] for row in rows))


def spreadsheet_safe(value: object) -> str:
    """`value` as a CSV cell that a spreadsheet program shows as text, never runs as a formula.

    Excel, LibreOffice and Google Sheets read a cell starting with `=`, `+`, `-` or `@` as a
    formula (tab and carriage return can smuggle one in), and a formula can run commands or
    send data away when the file is opened. Such a cell gets a leading `'`, the spreadsheet
    convention for "this is text": `=SUM(1+1)` is written `'=SUM(1+1)`. manifest.json keeps
    the true value.
    """
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_bytes(header, rows) -> bytes:
    """A UTF-8 CSV file of `header` and `rows`, every cell made spreadsheet-safe."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return text.getvalue().encode("utf-8")


def manifest_json(rows: list[ManifestRow], layout: str) -> bytes:
    """The manifest as JSON: the generator, the layout and the packages."""
    document = {
        "generator": GENERATOR,
        "layout": layout,
        "packages": [asdict(row) for row in rows],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_SCRIPT_HEAD = """#!/bin/sh
# {title}
# Written by `dps-olx build`; see docs/citywide-build.md in dps-xblocks.
#
# {usage}
# With unit codes as arguments, only those units are imported. Each package is extracted into
# its own folder under DPS_IMPORT_DIR (default: a new temporary folder) and imported from there.
set -u
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
work=${{DPS_IMPORT_DIR:-$(mktemp -d)}}
mkdir -p "$work" && work=$(CDPATH= cd -- "$work" && pwd) || exit 2
wanted=" $* "
failed=""
imported=0

import_package() {{  # CODE RUN NAME
    case "$wanted" in "  " | *" $1 "*) ;; *) return 0 ;; esac
    key="course-v1:{org}+{number}+$2"
    folder="$work/$2"
    echo "== $1 $3: $key"
    rm -rf "$folder" && mkdir -p "$folder" \\
        && tar -xzf "$here/packages/$2.tar.gz" -C "$folder" \\
        && {command} </dev/null \\
        && imported=$((imported + 1)) \\
        || failed="$failed $1"
}}

"""

_SCRIPT_TAIL = """
echo "$imported package(s) imported; extracted copies are in $work"
if [ -n "$failed" ]; then
    echo "import failed for unit(s):$failed" >&2
    exit 1
fi
"""


def import_script(entries: list[tuple[str, str, str]], org: str, number: str,
                  tutor: bool) -> bytes:
    """`import_all.sh` (or, with `tutor`, `import_all_tutor.sh`) for the packages built.

    `entries` are (code, run, name) of each package, in manifest order.
    """
    if tutor:
        title = "Import the city-wide packages into an Open edX run by Tutor (`tutor local`)."
        usage = ("Run on the Tutor host: sh import_all_tutor.sh [CODE ...]\n"
                 "# TUTOR='tutor dev' imports into a development platform instead.")
        command = (f'${{TUTOR:-tutor local}} run -v "$folder":{TUTOR_MOUNT} cms '
                   f"./manage.py cms import {TUTOR_MOUNT} course")
    else:
        title = "Import the city-wide packages into Open edX with the CMS's import command."
        usage = ("Run in the CMS's edx-platform folder: sh /path/to/import_all.sh [CODE ...]\n"
                 "# CMS='python manage.py cms --settings=...' changes how the CMS is called.")
        command = '${CMS:-./manage.py cms} import "$folder" course'
    lines = [_SCRIPT_HEAD.format(title=title, usage=usage, org=org, number=number,
                                 command=command)]
    for code, run, name in entries:
        lines.append(f"import_package {shlex.quote(code)} {shlex.quote(run)} {shlex.quote(name)}\n")
    lines.append(_SCRIPT_TAIL)
    return "".join(lines).encode("utf-8")


def cohorts_csv(units: list[Unit]) -> bytes:
    """The unit-to-cohort table of the shared run: one manual cohort per unit, named name_vi.

    A name that a spreadsheet would read as a formula is written with a leading `'` (see
    `spreadsheet_safe`); the cohort itself, created by create_cohorts.py, has the true name.
    """
    return _csv_bytes(("code", "name_vi", "type", "cohort"),
                      ((unit.code, unit.name_vi, unit.type, unit.name_vi) for unit in units))


_COHORT_SCRIPT = '''"""Create the manual cohorts of {course_key}, one per ward and commune.

Written by `dps-olx build --layout cohorts`. Run it in the LMS's Django shell after the
course is imported (see docs/citywide-build.md in dps-xblocks):

    ./manage.py lms shell < create_cohorts.py

It turns cohorts on for the course and creates each missing cohort with manual assignment;
cohorts that already exist are left as they are, so running it again is safe.
"""
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.course_groups.cohorts import (
    add_cohort,
    is_cohort_exists,
    set_course_cohorted,
)
from openedx.core.djangoapps.course_groups.models import CourseCohort

COURSE_KEY = CourseKey.from_string({course_key!r})
COHORTS = [
{names}]

set_course_cohorted(COURSE_KEY, True)
missing = [name for name in COHORTS if not is_cohort_exists(COURSE_KEY, name)]
for name in missing:
    add_cohort(COURSE_KEY, name, CourseCohort.MANUAL)
print(f"{{len(missing)}} cohort(s) created, {{len(COHORTS) - len(missing)}} already there")
'''


def cohorts_script(course_key: str, units: list[Unit]) -> bytes:
    """`create_cohorts.py`, for the LMS shell: the manual cohorts of the shared run."""
    names = "".join(f"    {unit.name_vi!r},\n" for unit in units)
    return _COHORT_SCRIPT.format(course_key=course_key, names=names).encode("utf-8")
