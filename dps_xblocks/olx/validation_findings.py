"""What the course validator reports: one `Finding` per problem, and a guard for crashed checks.

Every check returns findings instead of raising, so one broken file never hides the problems of
the others. A check that crashes all the same is turned into an error finding naming the file
it was reading, so the author sees where to look and no traceback reaches the terminal.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem of a course: how bad, where, what, and what to do about it."""

    severity: str  # ERROR or WARNING
    file: str  # path relative to the course folder, POSIX style
    line: int  # 1-based; 0 when the finding is about a whole file
    message: str  # plain English, names the offending value
    fix: str  # what to do
    check: str  # short id of the check, e.g. "url-name"

    @property
    def is_error(self) -> bool:
        """True for a finding that must block the import."""
        return self.severity == ERROR


def error(file: str, line: int, message: str, fix: str, check: str) -> Finding:
    """An error finding; shorthand used by every check."""
    return Finding(ERROR, file, line, message, fix, check)


def warning(file: str, line: int, message: str, fix: str, check: str) -> Finding:
    """A warning finding; shorthand used by every check."""
    return Finding(WARNING, file, line, message, fix, check)


@contextmanager
def crash_guard(findings: list[Finding], check: str, file: str) -> Iterator[None]:
    """Run the enclosed check; if it crashes, record an error finding instead of raising.

    The traceback goes to the debug log only: the author needs the file, not our internals.
    """
    try:
        yield
    except Exception as crash:  # any crash of a check must become a finding
        log.debug("the %s check crashed on %s", check, file, exc_info=True)
        findings.append(error(
            file, 0,
            f"the {check} check stopped on this file with an unexpected "
            f"{type(crash).__name__}: {crash}",
            "check this file by hand and report the message to the dps-xblocks maintainers",
            check,
        ))
