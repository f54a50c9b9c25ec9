"""The source course, read once, and the course folder derived from it for one package.

A package differs from the source course in four places only: `course.xml` points at the new
run, `course/<run>.xml` and `policies/<run>/` are renamed from the source run (with the new
display name and dates), and the about page starts with a section about the unit. Every other
file is the source file's bytes, so the content a learner studies is the same everywhere.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dps_xblocks.olx.citywide_units import KEY_PART, InputError, unfit_character

OVERVIEW = "about/overview.html"

# Course files come from the project, but are parsed as if they did not: no entity expansion,
# no DTD or network access.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class CourseFile:
    """One file of a course folder: its path relative to the folder, bytes and exec bit."""

    path: str
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class SourceCourse:
    """The course every package is made from."""

    folder: Path
    org: str
    number: str
    run: str
    display_name: str
    files: tuple[CourseFile, ...]
    start: str | None = None
    end: str | None = None

    def file(self, path: str) -> CourseFile | None:
        """The file at `path`, or None."""
        return next((item for item in self.files if item.path == path), None)


@dataclass(frozen=True)
class CourseTarget:
    """What one package's course is: its key parts, name, dates and about-page section."""

    org: str
    number: str
    run: str
    display_name: str
    about_section: str
    start: str | None = None
    end: str | None = None
    cohort_config: dict | None = None

    @property
    def course_key(self) -> str:
        """The course key Open edX gives the imported course."""
        return f"course-v1:{self.org}+{self.number}+{self.run}"


def read_source_course(folder: Path) -> SourceCourse:
    """Read the course in `folder` (Studio's export layout) into memory."""
    if not (folder / "course.xml").is_file():
        raise InputError(
            f"source course {folder} has no course.xml; give the folder Studio's export holds "
            f"(e.g. courses_olx/dps_hanoi_vi)"
        )
    try:
        files = tuple(_read_files(folder))
    except OSError as error:
        raise InputError(f"cannot read the source course {folder}: {error}") from None
    by_path = {item.path: item for item in files}

    pointer = _parse_xml(by_path["course.xml"], folder)
    attributes = {name: pointer.get(name) or "" for name in ("url_name", "org", "course")}
    if pointer.tag != "course" or len(pointer) or not all(attributes.values()):
        raise InputError(
            f"{folder / 'course.xml'}: expected <course url_name=\"RUN\" org=\"ORG\" "
            f"course=\"NUMBER\"/> pointing at course/RUN.xml, as Studio exports it"
        )
    run = attributes["url_name"]
    if not KEY_PART.fullmatch(run):
        raise InputError(f"{folder / 'course.xml'}: url_name {run!r} is not ASCII [A-Za-z0-9_.-]")

    run_file = by_path.get(f"course/{run}.xml")
    policy_file = by_path.get(f"policies/{run}/policy.json")
    if run_file is None or policy_file is None:
        missing = f"course/{run}.xml" if run_file is None else f"policies/{run}/policy.json"
        raise InputError(f"source course {folder} has no {missing}, which course.xml points at")
    run_element = _parse_xml(run_file, folder)
    settings = _parse_policy(policy_file, folder).get(f"course/{run}", {})
    if not isinstance(settings, dict):
        raise InputError(f"{folder / policy_file.path}: the entry course/{run} must be an object")
    display_name = _display_name(settings, run_element, folder, run)

    return SourceCourse(
        folder=folder,
        org=attributes["org"],
        number=attributes["course"],
        run=run,
        display_name=display_name,
        files=files,
        start=settings.get("start") or run_element.get("start"),
        end=settings.get("end") or run_element.get("end"),
    )


def _display_name(settings: dict, run_element: etree._Element, folder: Path, run: str) -> str:
    """The course's display name, the policy's if set, else the run file's.

    Each package's name is this one followed by the unit's, written into XML and JSON, so a
    policy value that is not text (a number, a list) or a name holding a control character is
    refused here; the validator reports the same value with its line.
    """
    policy_path = folder / "policies" / run / "policy.json"
    value = settings.get("display_name")
    if value is not None and not isinstance(value, str):
        shown = json.dumps(value, ensure_ascii=False)[:60]
        raise InputError(
            f"{policy_path}: display_name of course/{run} is {shown}, not text; write it as a "
            f'JSON string, like "display_name": "Tự tin dùng dịch vụ công trực tuyến"'
        )
    place = f"{policy_path}: course/{run}"
    if not value:
        value, place = run_element.get("display_name"), f"{folder / 'course' / run}.xml"
    if not value:
        raise InputError(
            f"source course {folder} has no display_name in course/{run}.xml or its policy"
        )
    bad = unfit_character(value)
    if bad:
        raise InputError(f"{place}: display_name {value!r} holds {bad}; delete it")
    return value


def _read_files(folder: Path):
    """Every file under `folder`, sorted by path; dot-files (editor and OS litter) are left out."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in dirs + sorted(names):
            path = Path(root, name)
            if path.is_symlink() and not name.startswith("."):
                raise InputError(
                    f"source course {folder}: {path.relative_to(folder).as_posix()} is a "
                    f"symbolic link; a package holds real files only, so replace it with a copy"
                )
        for name in sorted(names):
            if not name.startswith("."):
                path = Path(root, name)
                relative = path.relative_to(folder).as_posix()
                executable = bool(path.stat().st_mode & 0o111)
                yield CourseFile(relative, path.read_bytes(), executable)


def _parse_xml(item: CourseFile, folder: Path) -> etree._Element:
    """The root element of an XML course file."""
    try:
        return etree.fromstring(item.data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise InputError(
            f"source course file {folder / item.path}: not well-formed XML ({error})"
        ) from None


def _parse_policy(item: CourseFile, folder: Path) -> dict:
    """The JSON object of a policy file."""
    try:
        policy = json.loads(item.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"source course file {folder / item.path}: not valid JSON ({error})"
        ) from None
    except RecursionError:
        raise InputError(
            f"source course file {folder / item.path}: nested too deeply to be read; write "
            f"the policy as one JSON object of objects, as Studio exports it"
        ) from None
    if not isinstance(policy, dict):
        raise InputError(
            f"source course file {folder / item.path}: the policy must be a JSON object"
        )
    return policy


def package_files(source: SourceCourse, target: CourseTarget) -> list[CourseFile]:
    """The course folder of one package, sorted by path, `course.xml` first."""
    renamed = {
        f"course/{source.run}.xml": f"course/{target.run}.xml",
        f"policies/{source.run}/": f"policies/{target.run}/",
    }
    files = []
    for item in source.files:
        path = item.path
        for old, new in renamed.items():
            if path == old or (old.endswith("/") and path.startswith(old)):
                path = new + path[len(old):]
        files.append(CourseFile(path, _changed_data(source, target, item), item.executable))
    if source.file(OVERVIEW) is None:
        files.append(CourseFile(OVERVIEW, target.about_section.encode("utf-8")))

    return sorted(files, key=lambda item: (item.path != "course.xml", item.path))


def _changed_data(source: SourceCourse, target: CourseTarget, item: CourseFile) -> bytes:
    """The bytes of `item` in the package: rewritten for the four changed files, else as is."""
    if item.path == "course.xml":
        return _set_attributes(
            item.data, {"url_name": target.run, "org": target.org, "course": target.number}
        )
    if item.path == f"course/{source.run}.xml":
        dates = {"start": target.start, "end": target.end}
        updates = {"display_name": target.display_name}
        updates.update({name: value for name, value in dates.items() if value})
        return _set_attributes(item.data, updates)
    if item.path == f"policies/{source.run}/policy.json":
        return _rewrite_policy(item.data, source.run, target)
    if item.path == OVERVIEW:
        return target.about_section.encode("utf-8") + item.data
    return item.data


def _set_attributes(data: bytes, updates: dict[str, str]) -> bytes:
    """`data` with attributes of its root element set; the rest of the document is kept."""
    tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    for name, value in updates.items():
        tree.getroot().set(name, value)
    text = etree.tostring(tree, encoding="utf-8", xml_declaration=data.startswith(b"<?xml"))
    return text + b"\n" if data.endswith(b"\n") else text


def _rewrite_policy(data: bytes, source_run: str, target: CourseTarget) -> bytes:
    """The policy with its course entry moved to the new run and the build's settings in it."""
    policy = json.loads(data.decode("utf-8"))
    old_key, new_key = f"course/{source_run}", f"course/{target.run}"
    if old_key not in policy:
        policy[old_key] = {}
    rewritten = {}
    for key, value in policy.items():
        if key != old_key:
            rewritten[key] = value
            continue
        settings = dict(value)
        settings["display_name"] = target.display_name
        if target.start:
            settings["start"] = target.start
        if target.end:
            settings["end"] = target.end
        if target.cohort_config is not None:
            settings["cohort_config"] = target.cohort_config
        rewritten[new_key] = settings
    return (json.dumps(rewritten, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
