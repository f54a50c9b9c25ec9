"""olxcleaner's opinion of the course, as findings, without its known false alarms.

olxcleaner (the validator Studio can run before an import) is called through its Python API,
`olxcleaner.validate(course_dir, allowed_xblocks=...)`, which loads the course and returns an
error store; each error has a class name, a level, a file and a description, but no line (the
line is taken from the description of a syntax error). `allowed_xblocks` makes it accept our
custom tags; it does not look inside them, which is what `checks_scenarios` is for. Its findings
get the check id `olxcleaner-<ErrorClass>`.

It is not run on a course that is unsafe to give it: it parses XML with lxml's default parser
and follows url_names into paths without our limits. So it waits until no file was refused
(symlink out of the course, oversized, not UTF-8, declaring a DOCTYPE or entity), no url_name or
html filename leads out of its folder, and every policy key has the `type/url_name` form (it
crashes on any other). Nor is it run while course.xml is not a proper pointer: it would then
read course.xml as an empty course and report only consequences. A warning says it was skipped.

Filtered out, because they are false for the platform we import into:

- "does not have the required setting 'end'": a course without an end date is valid and never
  closes; the city's public-service courses are meant to stay open.
- "invalid date setting" for a date our own check accepts: Studio exports dates JSON-encoded
  with their quotes (start="&quot;2026-01-01T00:00:00Z&quot;") and the platform decodes them,
  but olxcleaner hands the quoted text to dateutil.
- SettingOverride when the policy and the course XML hold the same value: Studio's export
  writes settings in both places; an equal value overrides nothing. A different value is kept.

Also dropped, to avoid saying the same thing twice: an olxcleaner error of a class that one of
our checks covers (missing pointer target, duplicate url_name, bad JSON, missing static file,
missing course_image...) while that check of ours has already reported something in the course.
Ours carry a line and a fix; once they are fixed, olxcleaner speaks again if it still disagrees.
"""

import json
import logging
import os
import re
from pathlib import PurePath

from .checks_policy import CourseSettings, parse_date
from .checks_structure import COURSE_POINTER, Outline
from .validation_files import CourseFiles, is_safe_relative_path, is_safe_segment
from .validation_findings import Finding, crash_guard, warning

log = logging.getLogger(__name__)

CHECK_PREFIX = "olxcleaner-"
# Our findings that mean olxcleaner must not be given the course.
BLOCKING_CHECKS = frozenset({
    "symlink", "file-size", "file-type", "encoding", "xml-doctype", "policy-key", "json-depth"})
SEVERITIES = {"ERROR": "error", "WARNING": "warning", "INFO": "warning"}
# olxcleaner's error classes that one of our checks also reports, better located.
COVERED_BY = {
    "CourseXMLDoesNotExist": {"structure"},
    "NoRunName": {"structure"},
    "InvalidXML": {"xml-syntax"},
    "UnexpectedTag": {"structure", "block-type"},
    "TagMismatch": {"pointer"},
    "FileDoesNotExist": {"pointer"},
    "InvalidPointer": {"pointer"},
    "PolicyNotFound": {"policy"},
    "BadPolicy": {"policy"},
    "BadPolicyFormat": {"policy"},
    "BadEntry": {"policy-key"},
    "MissingURLName": {"url-name"},
    "DuplicateURLName": {"url-name", "pointer"},
    "DuplicateHTMLName": {"pointer"},
    "MissingFile": {"static-ref", "course-image"},
    "DateOrdering": {"dates"},
}
# InvalidSetting covers many settings; these are the ones our checks report.
COVERED_SETTINGS = (
    (re.compile(r"required setting 'course_image'"), "course-image"),
    (re.compile(r"required setting 'start'|invalid date setting"), "dates"),
)
MISSING_END = re.compile(r"required setting 'end'")
INVALID_DATE = re.compile(r"invalid date setting for \w+: '(.*)'\.$")
OVERRIDDEN_SETTING = re.compile(r"overriding the setting for '(.+)'$")
SYNTAX_LINE = re.compile(r"\bline (\d+)\b")
FIXES = {
    "MissingDisplayName": 'add display_name="..." with the title learners should see',
    "ExtraDisplayName": "remove display_name from this tag",
    "EmptyTag": "give the tag its content, or remove it",
    "URLNameMismatch": "remove url_name from the file's top element; the pointer names it",
    "PossiblePointer": "make the tag a pointer (url_name only), or delete the unused file",
    "PossibleHTMLPointer": "remove the content or the filename attribute; not both",
    "SettingOverride": "write the setting in one place, or give it the same value in both",
    "GradingPolicyIssue": "correct the grading policy (weights in 0-1 adding up to 1)",
    "PolicyRefNotFound": "remove the policy entry, or correct its url_name",
    "WrongObjectType": "correct the type in the policy key",
    "InvalidSetting": "correct the setting's value",
    "BadJumpToLink": "correct the link's url_name",
    "BadCourseLink": "correct the link",
    "UnexpectedContent": "move the text into an html component",
    "SelfPointer": "write the block's content in the file instead of another pointer",
    "PointerAlreadyPointedAt": "write the block's content in the file instead of another pointer",
    "DuplicateHTMLName": "give each html component its own .html file",
    "NonFlatURLName": "move the file to its type's folder and drop the ':' from the url_name",
    "NonFlatFilename": "move the file into html/ and drop the ':' from the filename",
    "InvalidHTML": "correct the HTML syntax",
    "Obsolete": "update the component as the message says",
    "LTIError": "correct the LTI settings",
}


def check_with_olxcleaner(files: CourseFiles, outline: Outline, settings: CourseSettings,
                          custom_types: frozenset[str], ours: list[Finding]) -> list[Finding]:
    """Run olxcleaner on the course and return its findings that are true and new."""
    reason = _reason_not_to_run(files, settings, ours)
    if reason:
        return [warning(COURSE_POINTER, 0, f"olxcleaner was not run: {reason}",
                        "fix the errors reported, then validate again", "olxcleaner")]
    try:
        from olxcleaner import validate
    except ImportError:
        return [warning(COURSE_POINTER, 0, "olxcleaner is not installed, so its checks were "
                        "not run", "pip install 'dps-xblocks[olx]'", "olxcleaner")]

    findings: list[Finding] = []
    with crash_guard(findings, "olxcleaner", COURSE_POINTER):
        _, store, _ = validate(str(files.root), allowed_xblocks=sorted(custom_types))
        our_checks = {finding.check for finding in ours}
        for problem in store.errors:
            if _is_false_alarm(problem, settings) or _is_covered(problem, our_checks):
                log.debug("olxcleaner %s dropped: %s", problem.name, problem.description)
                continue
            finding = _as_finding(problem, files, outline)
            if finding is not None:
                findings.append(finding)
    return findings


def _reason_not_to_run(files: CourseFiles, settings: CourseSettings,
                       ours: list[Finding]) -> str:
    if any(finding.check in BLOCKING_CHECKS for finding in ours):
        return "the course has files the validator refused to read"
    if any(finding.check == "structure" and finding.file == COURSE_POINTER for finding in ours):
        return "course.xml is not a pointer to the course, so it would see an empty course"
    for name, root in files.xml_files():
        for element in root.iter("*"):
            for attribute in ("url_name", "filename"):
                value = element.get(attribute)
                if value is not None and not is_safe_segment(value):
                    return f"{name} has {attribute}={value!r}, which leads out of its folder"
    for found in settings.values("course_image"):
        if not isinstance(found.value, str) or not is_safe_relative_path(found.value):
            return f"course_image {found.value!r} leads out of static/"
    return ""


def _is_false_alarm(problem, settings: CourseSettings) -> bool:
    description = problem.description
    if problem.name == "InvalidSetting":
        # A course without an end date never closes; the platform requires none.
        if MISSING_END.search(description):
            return True
        # A JSON-quoted date, as Studio exports it, which the platform decodes.
        date = INVALID_DATE.search(description)
        return bool(date) and parse_date(date.group(1)) is not None
    if problem.name == "SettingOverride":
        # Studio writes a setting in both places; the same value overrides nothing.
        overridden = OVERRIDDEN_SETTING.search(description)
        return bool(overridden) and _same_in_both(settings, overridden.group(1))
    return False


def _same_in_both(settings: CourseSettings, name: str) -> bool:
    in_xml, in_policy = settings.xml.get(name), settings.from_policy.get(name)
    if in_xml is None or in_policy is None:
        return False
    if in_xml.value == in_policy.value:
        return True
    try:
        return json.loads(in_xml.value) == in_policy.value
    except (TypeError, json.JSONDecodeError, RecursionError):
        return False


def _is_covered(problem, our_checks: set[str]) -> bool:
    covering = set(COVERED_BY.get(problem.name, ()))
    if problem.name == "InvalidSetting":
        covering |= {check for pattern, check in COVERED_SETTINGS
                     if pattern.search(problem.description)}
    return bool(covering & our_checks)


def _as_finding(problem, files: CourseFiles, outline: Outline) -> Finding | None:
    severity = SEVERITIES.get(problem.level)
    if severity is None:
        return None
    line = 0
    if problem.name in ("InvalidXML", "InvalidHTML"):
        found = SYNTAX_LINE.search(problem.description)
        line = int(found.group(1)) if found else 0
    fix = FIXES.get(problem.name, f"see olxcleaner's explanation of {problem.name}")
    return Finding(severity, _course_path(problem.filename, files, outline), line,
                   problem.description, fix, f"{CHECK_PREFIX}{problem.name}")


def _course_path(filename: str, files: CourseFiles, outline: Outline) -> str:
    """olxcleaner's file name as a POSIX path in the course (it names policies bare)."""
    if filename in ("policy.json", "grading_policy.json") and outline.run:
        return f"policies/{outline.run}/{filename}"
    if os.path.isabs(filename):
        filename = os.path.relpath(filename, files.root)
    return PurePath(filename).as_posix()
