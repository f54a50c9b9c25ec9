"""`dps-olx validate COURSE_DIR`: check an OLX course before anyone imports it.

The author runs it while writing; CI runs it on every shipped course. Open edX's import is
forgiving in the worst way: a missing url_name becomes a hash that changes with every edit, a
broken policy.json becomes `{}`, a custom block written as a pointer vanishes. This command
reports such problems with the file, the line and a fix, and exits 1 if there is any error.

The checks, each with its own `check` id in the findings:

- files: `symlink`, `file-size`, `file-type`, `encoding`, `xml-syntax`, `xml-doctype`
  (`validation_files`);
- outline: `structure`, `course-key`, `pointer`, `block-type`, `custom-block`, `orphan`
  (`checks_structure`) and `url-name` (`checks_url_names`);
- settings: `policy`, `policy-key`, `advanced-modules`, `dates`, `course-image`, `language`
  (`checks_policy`);
- practice scenarios: `scenario` (`checks_scenarios`);
- course files: `static-ref`, `static-name` (`checks_static`);
- HTML: `html-script`, `html-handler`, `html-js-url`, `img-alt`, `heading`, `link-text`
  (`checks_html`);
- olxcleaner: `olxcleaner-<ErrorClass>`, and `olxcleaner` when it was not run
  (`checks_olxcleaner`). Its false alarms are filtered out: a missing `end` (a course may stay
  open), a JSON-quoted date (Studio's export format), a policy value that repeats the course
  XML's; so are its findings that one of our checks has already reported, better located.

Nothing outside the course folder is ever read (see `validation_files`).
"""

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from .checks_html import check_html
from .checks_olxcleaner import check_with_olxcleaner
from .checks_policy import check_course_settings, load_course_settings
from .checks_scenarios import PRACTICE_BLOCK, check_scenarios
from .checks_static import check_static_links, check_static_names
from .checks_structure import COURSE_POINTER, check_orphans, read_outline
from .checks_url_names import check_url_names
from .validation_files import CourseFiles
from .validation_findings import ERROR, WARNING, Finding, crash_guard, error

__all__ = ["Finding", "add_arguments", "run", "validate_course"]

log = logging.getLogger(__name__)

CUSTOM_BLOCK_TYPES = frozenset({PRACTICE_BLOCK})
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def validate_course(course_dir: Path, *, extra_block_types: Iterable[str] = ()) -> list[Finding]:
    """Check the OLX course in `course_dir`; return every finding, sorted by file and line.

    `extra_block_types` names other pip-installed XBlocks the course may use besides
    `dps_practice`. Never raises for bad course content, and reads nothing outside the folder.
    """
    course_dir = Path(course_dir)
    if not course_dir.is_dir():
        return [error(".", 0, f"the course folder {str(course_dir)!r} does not exist",
                      "give the path of the folder that holds course.xml", "course-dir")]
    custom_types = CUSTOM_BLOCK_TYPES | frozenset(extra_block_types)
    log.info("validating %s", course_dir)

    findings: list[Finding] = []
    with crash_guard(findings, "validation", COURSE_POINTER):
        findings += _run_checks(course_dir, custom_types)
    return sorted(dict.fromkeys(findings), key=lambda found: (found.file, found.line))


def _run_checks(course_dir: Path, custom_types: frozenset[str]) -> list[Finding]:
    files = CourseFiles.scan(course_dir)
    findings = list(files.findings)
    outline, outline_findings = read_outline(files, custom_types)
    findings += outline_findings
    settings, settings_findings = load_course_settings(files, outline)
    findings += settings_findings

    checks = (
        ("url-name", lambda: check_url_names(outline)),
        ("orphan", lambda: check_orphans(files, outline, custom_types)),
        ("settings", lambda: check_course_settings(settings, files, outline)),
        ("scenario", lambda: check_scenarios(outline)),
        ("static-name", lambda: check_static_names(files)),
        ("static-ref", lambda: check_static_links(files)),
        ("html", lambda: check_html(files, outline)),
    )
    for check, run_check in checks:
        with crash_guard(findings, check, COURSE_POINTER):
            findings += run_check()
    findings += check_with_olxcleaner(files, outline, settings, custom_types, findings)
    return findings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command line of `dps-olx validate`."""
    parser.add_argument("course_dir", type=Path, metavar="COURSE_DIR",
                        help="the course folder, the one holding course.xml")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for tools")
    parser.add_argument("--block-type", action="append", default=[], metavar="TYPE",
                        dest="block_types",
                        help="another pip-installed XBlock type the course uses (repeatable)")


def run(args: argparse.Namespace) -> int:
    """Validate the course named on the command line; print the findings; return the exit code.

    0 when there is no error (warnings allowed), 1 when there is an error, 2 when the course
    folder does not exist.
    """
    course_dir: Path = args.course_dir
    if not course_dir.is_dir():
        print(f"dps-olx validate: error: the course folder {str(course_dir)!r} does not exist",
              file=sys.stderr)
        return EXIT_USAGE
    findings = validate_course(course_dir, extra_block_types=args.block_types)
    if args.format == "json":
        report = findings_as_json(course_dir, findings)
        _print(json.dumps(report, ensure_ascii=False, indent=2),
               fallback=json.dumps(report, indent=2))
    else:
        _print(findings_as_text(course_dir, findings))
    return EXIT_ERRORS if any(found.is_error for found in findings) else EXIT_OK


def findings_as_text(course_dir: Path, findings: list[Finding]) -> str:
    """One `path:line: severity: message (fix: ...)` line per finding, then a summary line."""
    lines = [
        f"{(course_dir / found.file).as_posix()}:{found.line}: {found.severity}: "
        f"{found.message} (fix: {found.fix})"
        for found in findings
    ]
    errors = sum(found.severity == ERROR for found in findings)
    warnings = sum(found.severity == WARNING for found in findings)
    lines.append(f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in "
                 f"{course_dir.as_posix()}")
    return "\n".join(lines)


def findings_as_json(course_dir: Path, findings: list[Finding]) -> dict:
    """The findings as a JSON-ready dict: course, error and warning counts, findings."""
    return {
        "course": course_dir.as_posix(),
        "errors": sum(found.severity == ERROR for found in findings),
        "warnings": sum(found.severity == WARNING for found in findings),
        "findings": [
            {"severity": found.severity, "file": found.file, "line": found.line,
             "message": found.message, "fix": found.fix, "check": found.check}
            for found in findings
        ],
    }


def _print(text: str, fallback: str | None = None) -> None:
    """Print `text`; where the output cannot show Vietnamese, print `fallback` or escapes."""
    try:
        print(text)
    except UnicodeEncodeError:
        if fallback is None:
            encoding = sys.stdout.encoding or "ascii"
            fallback = text.encode(encoding, "backslashreplace").decode(encoding)
        print(fallback)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
