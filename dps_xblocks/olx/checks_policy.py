"""Course settings: the policy files, advanced_modules, dates, the course image and the language.

A course's settings come from two places: the attributes of `course/<run>.xml` and the
`"course/<run>"` entry of `policies/<run>/policy.json`; where both set a value, the policy wins.
An invalid policy.json is not an import error on the platform: it is logged and replaced by
`{}`, so every setting it held silently disappears. Hence the checks here are errors.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .checks_structure import BUILTIN_COMPONENTS, CHILD_KIND, Outline
from .validation_files import CourseFiles, is_safe_relative_path
from .validation_findings import Finding, error

COURSE_DATES = ("start", "end", "enrollment_start", "enrollment_end")
BLOCK_DATES = ("start", "due")
POLICY_DATES = (*COURSE_DATES, "due")
# ISO 8601 as the platform writes it: a date, optionally a time, optionally a zone.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*")
# The platform's default start date (xmodule's DEFAULT_START_DATE) keeps a course hidden.
DEFAULT_START = "2030-01-01"
DATE_FIX = "write it as ISO 8601, like 2026-01-01T00:00:00Z"
SHOWN_VALUE = 60  # characters of a wrong JSON value quoted in a message
# Characters XML 1.0 cannot hold, even escaped: a policy may write them as \u0001.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Setting:
    """One value of a course setting and where it is written."""

    name: str
    value: object
    file: str
    line: int


@dataclass
class CourseSettings:
    """The course's settings from its XML and its policy, each value with its place."""

    xml_file: str = ""
    xml_line: int = 1
    policy_file: str = ""
    policy_text: str = ""
    policy: dict | None = None  # None when policy.json is missing or broken
    xml: dict[str, Setting] = field(default_factory=dict)
    from_policy: dict[str, Setting] = field(default_factory=dict)

    def values(self, name: str) -> list[Setting]:
        """Every value written for `name`: the XML one, then the policy one."""
        return [found for found in (self.xml.get(name), self.from_policy.get(name)) if found]

    def effective(self, name: str) -> Setting | None:
        """The value the platform uses: the policy's if set, else the XML's."""
        return self.from_policy.get(name) or self.xml.get(name)

    @property
    def known(self) -> bool:
        """False when policy.json could not be read, so a missing setting may be there."""
        return self.policy is not None


def load_course_settings(files: CourseFiles, outline: Outline
                         ) -> tuple[CourseSettings, list[Finding]]:
    """Read the policy files of the course's run; return its settings and the findings."""
    settings, findings = CourseSettings(), []
    if outline.run is None or outline.course is None:
        return settings, findings
    run, course = outline.run, outline.course
    settings.xml_file, settings.xml_line = course.source, course.element.sourceline or 1
    for name, value in course.element.attrib.items():
        line = files.attribute_line(course.source, course.element, name)
        settings.xml[name] = Setting(name, value, course.source, line)

    settings.policy_file = f"policies/{run}/policy.json"
    policy, findings_policy = _load_json_object(files, settings.policy_file, required=True)
    findings += findings_policy
    _, findings_grading = _load_json_object(files, f"policies/{run}/grading_policy.json", True)
    findings += findings_grading
    findings += _load_json_object(files, "policies/assets.json", required=False)[1]
    if policy is None:
        return settings, findings

    settings.policy_text = files.read_text(settings.policy_file) or ""
    findings += _check_policy_keys(settings, policy)
    settings.policy = policy
    entry = policy.get(f"course/{run}")
    if isinstance(entry, dict):
        entry_line = json_key_line(settings.policy_text, f"course/{run}")
        for name, value in entry.items():
            line = json_key_line(settings.policy_text, name, entry_line)
            settings.from_policy[name] = Setting(name, value, settings.policy_file, line)
    return settings, findings


def check_course_settings(settings: CourseSettings, files: CourseFiles,
                          outline: Outline) -> list[Finding]:
    """Check advanced_modules, dates, course_image and language of a course."""
    if not settings.xml_file:
        return []
    return [
        *_check_advanced_modules(settings, outline),
        *_check_course_dates(settings),
        *_check_policy_dates(settings),
        *_check_policy_display_names(settings),
        *_check_block_dates(files, outline),
        *_check_course_image(settings, files),
        *_check_language(settings),
    ]


def parse_date(value: object) -> datetime | None:
    """The date an ISO 8601 setting names, or None if it is not one.

    Studio exports dates JSON-encoded, quotes included (start="&quot;2026-...&quot;"); the
    platform decodes them, so the quotes are accepted here.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def json_key_line(text: str, key: str, after: int = 1) -> int:
    """The line where `"key":` is first written at or after line `after`; `after` if nowhere."""
    pattern = re.compile(rf'"{re.escape(key)}"\s*:')
    # Lines as the json module counts them in its errors: by "\n" alone.
    for number, line in enumerate(text.split("\n")[after - 1:], start=after):
        if pattern.search(line):
            return number
    return after


def _load_json_object(files: CourseFiles, name: str, required: bool
                      ) -> tuple[dict | None, list[Finding]]:
    if not files.present(name):
        if not required:
            return None, []
        return None, [error(name, 0, f"{name} is missing; the platform would use empty "
                            "settings", f"create {name} holding a JSON object", "policy")]
    text = files.read_text(name)
    if text is None:
        return None, []  # refused: already reported
    try:
        value = json.loads(text)
    except json.JSONDecodeError as problem:
        return None, [error(
            name, problem.lineno, f"{name} is not valid JSON: {problem.msg} at line "
            f"{problem.lineno} column {problem.colno}; the platform would replace it by {{}}",
            "correct the JSON (a missing comma or quote, or a trailing comma)", "policy")]
    except RecursionError:
        return None, [too_deep(name, text)]
    if not isinstance(value, dict):
        return None, [error(name, 1, f"{name} holds a JSON {type(value).__name__}, not an "
                            "object", "write the settings as one JSON object {...}", "policy")]
    return value, []


def too_deep(name: str, text: str) -> Finding:
    """The finding for a JSON file nested deeper than Python's parser can follow.

    Python's JSON parser recurses once per level and gives up near a thousand levels; course
    settings need three or four, so such a file is a mistake or an attack. Its own check id
    keeps olxcleaner, whose parser would fail the same way, from being run on the course.
    """
    depth, line = json_depth(text)
    return error(name, line, f"{name} is nested too deeply to be read: {depth} levels of [ or "
                 f"{{ at line {line}, where settings need a handful",
                 "write the settings as one JSON object of objects, as Studio exports them",
                 "json-depth")


def json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of `[` and `{` in the JSON `text`, and the line where it is reached.

    Brackets inside strings do not count. This reads the text once, without recursion, so it
    works where `json.loads` does not.
    """
    depth = deepest = 0
    line = deepest_line = 1
    in_string = escaped = False
    for char in text:
        if char == "\n":
            line += 1
        if escaped:
            escaped = False
        elif in_string:
            escaped, in_string = char == "\\", char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in "]}":
            depth -= 1
    return deepest, deepest_line


def _check_policy_keys(settings: CourseSettings, policy: dict) -> list[Finding]:
    findings = []
    for key, value in policy.items():
        line = json_key_line(settings.policy_text, key)
        if "/" not in key:
            findings.append(error(
                settings.policy_file, line, f"the policy key {key!r} does not name a block",
                'write keys as "type/url_name", such as "course/2026"', "policy-key"))
        elif not isinstance(value, dict):
            findings.append(error(
                settings.policy_file, line, f"the policy entry {key!r} is not a JSON object",
                "write the entry's settings as {...}", "policy-key"))
    return findings


def _check_advanced_modules(settings: CourseSettings, outline: Outline) -> list[Finding]:
    findings, listed = [], set()
    for found in settings.values("advanced_modules"):
        value = found.value
        if found.file == settings.xml_file:
            try:
                value = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                value = None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            findings.append(error(
                found.file, found.line, f"advanced_modules is {found.value!r}, not a list of "
                "block types", 'write it as a JSON list, like ["dps_practice"]',
                "advanced-modules"))
            continue
        listed.update(value)
    if not settings.known and not listed:
        return findings  # policy.json is broken: it may list them; its own error says so

    place = settings.effective("advanced_modules")
    for block_type, (file, line) in sorted(outline.custom_types_used.items()):
        if block_type in listed:
            continue
        if place is not None:
            where, at = place.file, place.line
        elif settings.policy is not None:
            where = settings.policy_file
            at = json_key_line(settings.policy_text, f"course/{outline.run}")
        else:
            where, at = settings.xml_file, settings.xml_line
        findings.append(error(
            where, at, f"advanced_modules does not list {block_type!r}, used at {file}:{line}; "
            "the course does not enable that block type",
            f'add "{block_type}" to advanced_modules in the "course/{outline.run}" entry of '
            f"{settings.policy_file}", "advanced-modules"))
    return findings


def _check_course_dates(settings: CourseSettings) -> list[Finding]:
    findings = []
    for name in COURSE_DATES:
        found = settings.xml.get(name)
        if found is not None and parse_date(found.value) is None:
            findings.append(_bad_date(found))
    start = settings.effective("start")
    if start is None and settings.known:
        findings.append(error(
            settings.xml_file, settings.xml_line, "the course has no start date; the platform "
            f"would use {DEFAULT_START}, hiding the course from learners until then",
            f'add start="2026-01-01T00:00:00Z" (the real start) to {settings.xml_file}', "dates"))
    for first, last in (("start", "end"), ("enrollment_start", "enrollment_end")):
        begin, finish = settings.effective(first), settings.effective(last)
        if begin is None or finish is None:
            continue
        begin_date, finish_date = parse_date(begin.value), parse_date(finish.value)
        if begin_date and finish_date and finish_date <= begin_date:
            findings.append(error(
                finish.file, finish.line, f"{last} {finish.value!r} is not after {first} "
                f"{begin.value!r} ({begin.file}:{begin.line})",
                f"set {last} later than {first}", "dates"))
    return findings


def _check_policy_dates(settings: CourseSettings) -> list[Finding]:
    findings = []
    for key, entry in (settings.policy or {}).items():
        if not isinstance(entry, dict):
            continue
        entry_line = json_key_line(settings.policy_text, key)
        for name in POLICY_DATES:
            value = entry.get(name)
            if value is not None and parse_date(value) is None:
                line = json_key_line(settings.policy_text, name, entry_line)
                findings.append(_bad_date(Setting(name, value, settings.policy_file, line)))
    return findings


def _check_policy_display_names(settings: CourseSettings) -> list[Finding]:
    """A display_name in the policy must be text: the platform shows it as the block's title."""
    findings = []
    for key, entry in (settings.policy or {}).items():
        if not isinstance(entry, dict) or "display_name" not in entry:
            continue
        problem = _display_name_problem(key, entry["display_name"])
        if problem:
            line = json_key_line(settings.policy_text, "display_name",
                                 json_key_line(settings.policy_text, key))
            findings.append(error(settings.policy_file, line, *problem, "display-name"))
    return findings


def _display_name_problem(key: str, value: object) -> tuple[str, str] | None:
    """(message, fix) for a policy display_name the platform cannot use; None if it can."""
    if not isinstance(value, str):
        shown = json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= SHOWN_VALUE else shown[:SHOWN_VALUE - 1] + "…"
        return (f"the display_name of {key!r} is {shown}, a JSON {_json_type(value)}, not text",
                'write it as a JSON string in double quotes, like "display_name": "Bài một"')
    bad = NOT_IN_XML.search(value)
    if bad:
        return (f"the display_name of {key!r} holds the character U+{ord(bad.group()):04X}, "
                "which XML cannot hold; Studio could not export the course",
                "delete the character from the name")
    return None


def _json_type(value: object) -> str:
    """The JSON name of the type of a parsed JSON `value`."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {list: "array", dict: "object", type(None): "null"}.get(type(value), "value")


def _check_block_dates(files: CourseFiles, outline: Outline) -> list[Finding]:
    findings = []
    dated_kinds = {*CHILD_KIND.values(), *BUILTIN_COMPONENTS}
    for block in outline.of_kind(*dated_kinds):
        for name in BLOCK_DATES:
            value = block.element.get(name)
            if value is not None and parse_date(value) is None:
                line = files.attribute_line(block.source, block.element, name)
                findings.append(_bad_date(Setting(name, value, block.source, line)))
    return findings


def _bad_date(found: Setting) -> Finding:
    return error(found.file, found.line, f"{found.name} {found.value!r} is not an ISO 8601 date",
                 DATE_FIX, "dates")


def _check_course_image(settings: CourseSettings, files: CourseFiles) -> list[Finding]:
    values = settings.values("course_image")
    if not values:
        if not settings.known:
            return []
        return [error(
            settings.xml_file, settings.xml_line, "the course has no course_image; the catalogue "
            "would show the platform's default image file, which this course does not have",
            f'put the image in static/ and add course_image="course_image.svg" to '
            f"{settings.xml_file}", "course-image")]
    findings = []
    for found in values:
        name = found.value
        if not isinstance(name, str) or not name or name.startswith("/") \
                or not is_safe_relative_path(name):
            findings.append(error(
                found.file, found.line, f"course_image {name!r} is not the name of a file in "
                "static/", "write only the file's name, like course_image.svg", "course-image"))
        elif not files.exists(f"static/{name}"):
            findings.append(error(
                found.file, found.line, f"course_image {name!r} is not in static/",
                f"add static/{name}, or correct the name", "course-image"))
    return findings


def _check_language(settings: CourseSettings) -> list[Finding]:
    found = settings.effective("language")
    if found is None:
        if not settings.known:
            return []
        return [error(
            settings.xml_file, settings.xml_line, "the course has no language setting; pages "
            "would be marked with the platform's language and read aloud with the wrong voice",
            f'add language="vi" to {settings.xml_file}', "language")]
    if not isinstance(found.value, str) or not LANGUAGE_CODE.fullmatch(found.value):
        return [error(found.file, found.line, f"language {found.value!r} is not a language code",
                      'write a code such as "vi" or "en"', "language")]
    return []
