"""Making one package: the unit's course folder, validated, then packed.

Every package is validated in full with the project's validator, as the folder it will unpack
to, before it is written: not a sample, and not only the files the build changed. The source
course is validated once first, so a problem of the course itself is reported once, not 126
times. A finding of severity "error" stops the build with a message naming the unit and the
first findings.

Writing out 126 course folders costs more than validating them on a slow disk, so a maker
keeps one working folder and brings it to each package's exact content in turn: packages
differ in four files, so that is a handful of writes, a rename and a delete per package
instead of a whole tree. The folder the validator reads is always exactly the package's files.
"""

import shutil
from pathlib import Path

from dps_xblocks.olx.citywide_archive import Package, pack_course
from dps_xblocks.olx.citywide_course import CourseFile, CourseTarget, SourceCourse, package_files

SHOWN_FINDINGS = 3
TOP_FOLDER = "course"


class BuildError(Exception):
    """The build cannot finish; the message names the unit and the reason."""


def load_validate_course():
    """The project's `validate_course`, imported when first needed."""
    try:
        from dps_xblocks.olx.validation import validate_course
    except ImportError as error:
        raise BuildError(
            f"the course validator (dps_xblocks.olx.validation) cannot be imported ({error}); "
            f"every package is validated before it is written, so the build cannot run"
        ) from None
    return validate_course


def load_package_validator():
    """The validator for each unit's package: every check of the project's own.

    olxcleaner has already passed on the source course, of which a package changes only the
    course key, the display name and the about page, all of which the project's own checks
    cover; running it again per package would double the build's time.
    """
    validate_course = load_validate_course()
    return lambda course_dir: validate_course(course_dir, with_olxcleaner=False)


def errors_in(findings) -> list:
    """The findings that stop a build, in the validator's order."""
    return [finding for finding in findings if finding.severity == "error"]


def describe(findings) -> str:
    """The first findings as `file:line: message (fix)`, and how many more there are."""
    parts = []
    for finding in findings[:SHOWN_FINDINGS]:
        where = f"{finding.file}:{finding.line}" if finding.line else f"{finding.file}"
        fix = f" ({finding.fix})" if finding.fix else ""
        parts.append(f"{where}: {finding.message}{fix}")
    if len(findings) > SHOWN_FINDINGS:
        parts.append(f"and {len(findings) - SHOWN_FINDINGS} more")
    return "; ".join(parts)


def check_source(source: SourceCourse, validate) -> None:
    """Validate the source course in full; BuildError if it has an error."""
    errors = errors_in(validate(source.folder))
    if errors:
        raise BuildError(
            f"the source course {source.folder} does not pass validation, so no package was "
            f"built: {describe(errors)}; run dps-olx validate {source.folder}"
        )


class PackageMaker:
    """Builds, validates and packs packages one after another in its own working folder."""

    def __init__(self, source: SourceCourse, validate, mtime: int, work: Path):
        self.source = source
        self.validate = validate
        self.mtime = mtime
        self.folder = WorkingFolder(work / TOP_FOLDER)

    def make(self, target: CourseTarget) -> tuple[Package | None, list]:
        """The package for `target`, or None and the validator's errors."""
        files = package_files(self.source, target)
        self.folder.hold(files)
        errors = errors_in(self.validate(self.folder.path))
        if errors:
            return None, errors
        return pack_course(TOP_FOLDER, files, self.mtime), []


class WorkingFolder:
    """A folder whose content `hold()` makes exactly equal to a list of course files."""

    def __init__(self, path: Path):
        self.path = path
        self._held: dict[str, bytes] = {}

    def hold(self, files: list[CourseFile]) -> None:
        """Write what differs from the previous content and delete what is no longer there."""
        wanted = {item.path: item.data for item in files}
        for name in sorted(set(self._held) - set(wanted), reverse=True):
            (self.path / name).unlink()
            self._remove_empty_parents(self.path / name)
        for name, data in wanted.items():
            if self._held.get(name) != data:
                target = self.path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        self._held = wanted

    def remove(self) -> None:
        """Delete the folder and everything in it."""
        shutil.rmtree(self.path.parent, ignore_errors=True)
        self._held = {}

    def _remove_empty_parents(self, path: Path) -> None:
        folder = path.parent
        while folder != self.path and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
