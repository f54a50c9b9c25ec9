"""`dps-olx validate COURSE_DIR`: check an OLX course before anyone imports it.

The author runs it while writing; CI runs it on every shipped course. Open edX's import is
forgiving in the worst way: a missing url_name becomes a hash that changes with every edit, a
broken policy.json becomes `{}`, a custom block written as a pointer vanishes. This command
reports such problems with the file, the line and a fix, and exits 1 if there is any error.

The checks, each with its own `check` id in the findings:

- the folder itself: `course-dir` (missing, a file, a broken link or a symlink loop);
- files: `symlink`, `file-size`, `file-type`, `encoding`, `xml-syntax`, `xml-doctype`
  (`validation_files`);
- outline: `structure`, `course-key`, `pointer`, `block-type`, `custom-block`, `orphan`
  (`checks_structure`) and `url-name` (`checks_url_names`);
- settings: `policy`, `json-depth`, `policy-key`, `advanced-modules`, `dates`,
  `display-name`, `course-image`, `language` (`checks_policy`);
- practice blocks: `weight`, `display-name`, `scenario-size`, `scenario` (`checks_scenarios`);
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
import errno
import json
import logging
import re
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from .checks_html import check_html
from .checks_olxcleaner import check_with_olxcleaner
from .checks_policy import CourseSettings, check_course_settings, load_course_settings
from .checks_scenarios import PRACTICE_BLOCK, check_scenarios
from .checks_static import check_static_links, check_static_names
from .checks_structure import COURSE_POINTER, check_orphans, read_outline
from .checks_url_names import check_url_names
from .validation_files import CourseFiles
from .validation_findings import ERROR, WARNING, Finding, crash_guard, error

__all__ = ["Finding", "add_arguments", "run", "validate_course", "validate_files"]

log = logging.getLogger(__name__)

CUSTOM_BLOCK_TYPES = frozenset({PRACTICE_BLOCK})
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Also C0 and C1 control characters (a tab, a newline, ESC), for text meant for a terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def validate_course(course_dir: Path, *, extra_block_types: Iterable[str] = ()) -> list[Finding]:
    """Check the OLX course in `course_dir`; return every finding, sorted by file and line.

    `extra_block_types` names other pip-installed XBlocks the course may use besides
    `dps_practice`. Never raises for bad course content, and reads nothing outside the folder.
    """
    course_dir = Path(course_dir)
    problem = course_dir_problem(course_dir)
    if problem:
        return [error(".", 0, problem, course_dir_fix(course_dir), "course-dir")]
    custom_types = CUSTOM_BLOCK_TYPES | frozenset(extra_block_types)
    log.info("validating %s", course_dir)

    findings: list[Finding] = []
    with crash_guard(findings, "validation", COURSE_POINTER):
        files = CourseFiles.scan(course_dir)
        _run_checks(files, custom_types, findings, with_olxcleaner=True)
    return _in_order(findings)


def validate_files(contents: Mapping[str, bytes], *,
                   extra_block_types: Iterable[str] = ()) -> list[Finding]:
    """Check the course whose files are `contents` (path in the course: bytes), in memory.

    The same findings as `validate_course` on a folder holding exactly these files, except
    those of olxcleaner, which only reads folders: use this for a course made from one that
    olxcleaner has passed (the city-wide build's packages). Never raises for bad content.
    """
    custom_types = CUSTOM_BLOCK_TYPES | frozenset(extra_block_types)
    findings: list[Finding] = []
    with crash_guard(findings, "validation", COURSE_POINTER):
        files = CourseFiles.in_memory(contents)
        _run_checks(files, custom_types, findings, with_olxcleaner=False)
    return _in_order(findings)


def _in_order(findings: list[Finding]) -> list[Finding]:
    """`findings` without repeats, sorted by file and line."""
    return sorted(dict.fromkeys(findings), key=lambda found: (found.file, found.line))


def course_dir_problem(course_dir: Path) -> str:
    """Why `course_dir` cannot be a course folder, in one sentence; empty if it is a folder."""
    shown = repr(str(course_dir))
    try:
        info = course_dir.stat()
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            return (f"the course folder {shown} is a symlink loop: following its symbolic "
                    "links leads back to where they started")
        if course_dir.is_symlink():
            return f"the course folder {shown} is a symbolic link to something that is gone"
        if problem.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"the course folder {shown} does not exist"
        return f"the course folder {shown} cannot be opened: {problem.strerror}"
    if stat.S_ISREG(info.st_mode):
        return f"the course folder {shown} is a file, not a folder"
    if not stat.S_ISDIR(info.st_mode):
        return f"the course folder {shown} is not a folder (a device, pipe or socket)"
    return ""


def course_dir_fix(course_dir: Path) -> str:
    """What to give instead of a `course_dir` that is not a course folder."""
    if course_dir.name == COURSE_POINTER and course_dir.is_file():
        return f"give the folder that holds it: {course_dir.parent.as_posix()!r}"
    return "give the path of the folder that holds course.xml"


def _run_checks(files: CourseFiles, custom_types: frozenset[str], findings: list[Finding],
                with_olxcleaner: bool) -> None:
    """Run every check, adding to `findings` as it goes, so a crash keeps what was found."""
    findings += files.findings
    outline, outline_findings = read_outline(files, custom_types)
    findings += outline_findings
    settings = CourseSettings()
    with crash_guard(findings, "settings", COURSE_POINTER):
        settings, settings_findings = load_course_settings(files, outline)
        findings += settings_findings

    checks = (
        ("url-name", lambda: check_url_names(outline)),
        ("orphan", lambda: check_orphans(files, outline, custom_types)),
        ("settings", lambda: check_course_settings(settings, files, outline)),
        ("scenario", lambda: check_scenarios(outline, files)),
        ("static-name", lambda: check_static_names(files)),
        ("static-ref", lambda: check_static_links(files)),
        ("html", lambda: check_html(files, outline)),
    )
    for check, run_check in checks:
        with crash_guard(findings, check, COURSE_POINTER):
            findings += run_check()
    if with_olxcleaner:
        findings += check_with_olxcleaner(files, outline, settings, custom_types,
                                          list(findings))


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
    folder does not exist or is not a folder.
    """
    course_dir: Path = args.course_dir
    problem = course_dir_problem(course_dir)
    if problem:
        _print(_displayable(f"dps-olx validate: error: {problem}; {course_dir_fix(course_dir)}",
                           controls=True), stream=sys.stderr)
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
    """One `path:line: severity: message (fix: ...)` line per finding, then a summary line.

    Control characters and undecodable bytes of file names are written as escapes, so a file
    name can neither break a line in two nor send commands to the terminal.
    """
    lines = [
        _displayable(f"{(course_dir / found.file).as_posix()}:{found.line}: {found.severity}: "
                     f"{found.message} (fix: {found.fix})", controls=True)
        for found in findings
    ]
    errors = sum(found.severity == ERROR for found in findings)
    warnings = sum(found.severity == WARNING for found in findings)
    lines.append(_displayable(f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in "
                              f"{course_dir.as_posix()}", controls=True))
    return "\n".join(lines)


def findings_as_json(course_dir: Path, findings: list[Finding]) -> dict:
    """The findings as a JSON-ready dict: course, error and warning counts, findings.

    Every text is valid Unicode: a byte of a file name that is not UTF-8 is written `\\xff`.
    """
    return {
        "course": _displayable(course_dir.as_posix()),
        "errors": sum(found.severity == ERROR for found in findings),
        "warnings": sum(found.severity == WARNING for found in findings),
        "findings": [
            {"severity": found.severity, "file": _displayable(found.file), "line": found.line,
             "message": _displayable(found.message), "fix": _displayable(found.fix),
             "check": found.check}
            for found in findings
        ],
    }


def _displayable(text: str, controls: bool = False) -> str:
    """`text` with lone surrogates (and, if `controls`, control characters) as escapes.

    Python reads a file name whose bytes are not UTF-8 with each bad byte as a lone surrogate
    (U+DC80 to U+DCFF); printed as is, it is either an encoding error or invalid UTF-8 in the
    output. Such a byte is written `\\xNN`, the way Python writes bytes.
    """
    pattern = _UNPRINTABLE if controls else _SURROGATE
    return pattern.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _print(text: str, fallback: str | None = None, stream=None) -> None:
    """Print `text`; where the output cannot show Vietnamese, print `fallback` or escapes."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        if fallback is None:
            encoding = stream.encoding or "ascii"
            fallback = text.encode(encoding, "backslashreplace").decode(encoding)
        print(fallback, file=stream)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
