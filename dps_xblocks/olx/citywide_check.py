"""Making one package: the unit's course files, validated, then packed.

Every package is validated in full with the project's validator before it is written: not a
sample, and not only the files the build changed. The validator reads the package's files from
memory, exactly the bytes that go into the archive, so what is checked is what is shipped, and
no course folder is written out 126 times. The source course is validated once first, on
disk and with olxcleaner too, so a problem of the course itself is reported once, not 126 times.
A finding of severity "error" stops the build with a message naming the unit and the first
findings.
"""

from dps_xblocks.olx.citywide_archive import Package, pack_course
from dps_xblocks.olx.citywide_course import CourseTarget, SourceCourse, package_files

SHOWN_FINDINGS = 3
TOP_FOLDER = "course"


class BuildError(Exception):
    """The build cannot finish; the message names the unit and the reason."""


def load_validate_course():
    """The project's `validate_course`, for a course folder, imported when first needed."""
    return _load_validator("validate_course")


def load_package_validator():
    """The project's `validate_files`, for a package's files in memory: every check of our own.

    olxcleaner has already passed on the source course, of which a package changes only the
    course key, the display name and the about page, all of which the project's own checks
    cover; running it again per package would double the build's time.
    """
    return _load_validator("validate_files")


def _load_validator(name: str):
    try:
        from dps_xblocks.olx import validation
    except ImportError as error:
        raise BuildError(
            f"the course validator (dps_xblocks.olx.validation) cannot be imported ({error}); "
            f"every package is validated before it is written, so the build cannot run"
        ) from None
    return getattr(validation, name)


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
    """Builds, validates and packs packages one after another."""

    def __init__(self, source: SourceCourse, validate, mtime: int):
        self.source = source
        self.validate = validate
        self.mtime = mtime

    def make(self, target: CourseTarget) -> tuple[Package | None, list]:
        """The package for `target`, or None and the validator's errors."""
        files = package_files(self.source, target)
        errors = errors_in(self.validate({item.path: item.data for item in files}))
        if errors:
            return None, errors
        return pack_course(TOP_FOLDER, files, self.mtime), []
