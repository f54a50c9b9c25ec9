"""The course outline as Open edX imports it: course.xml, then chapters, sequentials, verticals.

`read_outline` follows the same rules as the platform's XML import: an element whose only
attribute is `url_name` and which has no content is a *pointer* to `<tag>/<url_name>.xml`; an
`<html filename="x"/>` reads `html/x.html`; anything else is defined inline. Along the way it
reports what the import would silently get wrong: missing or mistyped pointer targets, blocks in
the wrong place, unknown block types, and custom blocks written as pointers, which the platform
does not import for pip-installed XBlocks (openedx-platform issue 36390).

The other checks work on the resulting `Outline` rather than re-reading files.
"""

from dataclasses import dataclass, field

from lxml import etree

from .validation_files import CourseFiles, is_safe_relative_path, is_safe_segment
from .validation_findings import Finding, error, warning

COURSE_POINTER = "course.xml"
COURSE_POINTER_ATTRIBUTES = frozenset({"url_name", "org", "course"})
# What each level of the outline may contain; a vertical holds components (leaves).
CHILD_KIND = {"course": "chapter", "chapter": "sequential", "sequential": "vertical"}
# Children of <course> that are settings, not blocks.
COURSE_SETTINGS_CHILDREN = frozenset({"wiki", "textbook"})
# Components the platform itself provides (or installs by default) that a vertical may hold.
BUILTIN_COMPONENTS = frozenset({
    "html", "problem", "video", "discussion", "lti", "lti_consumer", "openassessment",
    "drag-and-drop-v2", "library_content", "itembank", "conditional", "split_test",
    "word_cloud", "annotatable", "google-document", "google-calendar", "done", "pdf",
    "poll_question",
})
# Folders whose files should each be used by some block; an unused one is an orphan.
BLOCK_FOLDERS = ("chapter", "sequential", "vertical", "html", "problem", "video", "discussion")


@dataclass(frozen=True)
class Block:
    """One block of the outline: its type, its url_name and where both are written."""

    kind: str
    url_name: str | None
    file: str  # where the url_name is written (the pointer, or the inline element)
    line: int
    element: etree._Element  # the block's definition (the pointer's target when there is one)
    source: str  # the file holding `element`


@dataclass
class Outline:
    """The course as the import would build it, plus the files it used."""

    run: str | None = None
    course: Block | None = None
    blocks: list[Block] = field(default_factory=list)
    used_files: set[str] = field(default_factory=set)
    custom_types_used: dict[str, tuple[str, int]] = field(default_factory=dict)
    complete: bool = True  # False when some branch could not be followed


    def of_kind(self, *kinds: str) -> list[Block]:
        """The blocks of the given types, in outline order."""
        return [block for block in self.blocks if block.kind in kinds]


def read_outline(files: CourseFiles, custom_types: frozenset[str]
                 ) -> tuple[Outline, list[Finding]]:
    """Build the outline of the course from course.xml down; return it with its findings."""
    reader = _OutlineReader(files, custom_types)
    reader.read()
    return reader.outline, reader.findings


def check_orphans(files: CourseFiles, outline: Outline,
                  custom_types: frozenset[str]) -> list[Finding]:
    """Warn about XML and HTML files in block folders that no block uses.

    Skipped when a file could not be read or parsed, or a pointer could not be followed: the
    outline is then incomplete and every file below the break would look unused.
    """
    if not files.complete or not outline.complete:
        return []
    findings = []
    for folder in (*BLOCK_FOLDERS, *sorted(custom_types)):
        for name in files.names(folder):
            if name.endswith((".xml", ".html")) and name not in outline.used_files:
                findings.append(warning(
                    name, 0, f"{name} is not used by any block of the course",
                    _orphan_fix(folder, name, custom_types), "orphan"))
    return findings


class _OutlineReader:
    """One walk over the course; keeps the findings and the files it has used."""

    def __init__(self, files: CourseFiles, custom_types: frozenset[str]):
        self.files = files
        self.custom_types = custom_types
        self.outline = Outline()
        self.findings: list[Finding] = []
        self.pointed_from: dict[str, tuple[str, int]] = {}

    def read(self) -> None:
        self.outline.complete = False  # until the course itself is found
        if not self.files.present(COURSE_POINTER):
            self.findings.append(error(
                COURSE_POINTER, 0, "the course has no course.xml at its top",
                'add course.xml holding <course url_name="RUN" org="ORG" course="NUMBER"/>',
                "structure"))
            return
        pointer = self.files.xml(COURSE_POINTER)
        if pointer is None:
            return  # refused or unparsable: already reported
        self.outline.used_files.add(COURSE_POINTER)
        run = self._read_course_pointer(pointer)
        if run is None:
            return
        target = f"course/{run}.xml"
        root = self._follow(pointer, "course", target, COURSE_POINTER)
        if root is None:
            return
        self.outline.run, self.outline.complete = run, True
        self.outline.course = Block("course", run, COURSE_POINTER, pointer.sourceline or 1,
                                    root, target)
        self.outline.blocks.append(self.outline.course)
        self._read_children(self.outline.course)

    def _read_course_pointer(self, pointer: etree._Element) -> str | None:
        line = pointer.sourceline or 1
        if pointer.tag != "course":
            self.findings.append(error(
                COURSE_POINTER, line, f"course.xml holds a <{pointer.tag}>, not a <course>",
                'write <course url_name="RUN" org="ORG" course="NUMBER"/>', "structure"))
            return None
        attributes = set(pointer.attrib)
        if attributes != COURSE_POINTER_ATTRIBUTES or len(pointer):
            missing = ", ".join(sorted(COURSE_POINTER_ATTRIBUTES - attributes)) or "none"
            extra = ", ".join(sorted(attributes - COURSE_POINTER_ATTRIBUTES)) or "none"
            self.findings.append(error(
                COURSE_POINTER, line, "course.xml must be a pointer with exactly url_name, org "
                f"and course (missing: {missing}; extra: {extra}; children: {len(pointer)})",
                "keep only <course url_name=\"RUN\" org=\"ORG\" course=\"NUMBER\"/> and move "
                "everything else to course/RUN.xml", "structure"))
        for key in ("org", "course"):
            value = pointer.get(key)
            if value and not _is_course_key_part(value):
                self.findings.append(error(
                    COURSE_POINTER, line, f"{key}={value!r} cannot be part of a course key "
                    "(course-v1:ORG+NUMBER+RUN)", "use only ASCII letters, digits, '_', '-' and "
                    "'.'; no spaces, '/' or '+'", "course-key"))
        run = pointer.get("url_name")
        if run and not is_safe_segment(run):
            # Kept in the outline so that the url-name check reports the value; not followed.
            self.outline.blocks.append(Block("course", run, COURSE_POINTER, line, pointer,
                                             COURSE_POINTER))
            return None
        return run

    def _read_children(self, parent: Block) -> None:
        for child in parent.element.iterchildren(tag=etree.Element):
            if parent.kind == "course" and child.tag in COURSE_SETTINGS_CHILDREN:
                continue
            if parent.kind == "vertical":
                self._read_component(child, parent.source)
                continue
            expected = CHILD_KIND.get(parent.kind)
            if child.tag != expected:
                self.outline.complete = False
                self.findings.append(error(
                    parent.source, child.sourceline or 0,
                    f"a <{child.tag}> inside a <{parent.kind}>: Open edX expects "
                    f"<{expected}> here", "keep the order course > chapter > sequential > "
                    "vertical > components", "structure"))
                continue
            block = self._read_block(child, parent.source)
            if block is not None:
                self._read_children(block)

    def _read_component(self, element: etree._Element, file: str) -> None:
        line = self.files.attribute_line(file, element, "url_name")
        if element.tag in self.custom_types:
            self.outline.custom_types_used.setdefault(element.tag, (file, line))
            if self._is_custom_pointer(element, file):
                return
            self.outline.blocks.append(
                Block(element.tag, element.get("url_name"), file, line, element, file))
            return
        if element.tag not in BUILTIN_COMPONENTS:
            self.findings.append(error(
                file, line, f"<{element.tag}> is neither an Open edX block nor a declared "
                "custom block; the platform would hide it", f"correct the tag, or if "
                f"<{element.tag}> is an installed XBlock pass --block-type {element.tag}",
                "block-type"))
            return
        block = self._read_block(element, file)
        if block is not None and block.kind == "html":
            self._read_html_file(block)

    def _is_custom_pointer(self, element: etree._Element, file: str) -> bool:
        """Report a custom block written as a pointer; True if it was one."""
        url_name = element.get("url_name", "")
        target = f"{element.tag}/{url_name}.xml"
        has_file = is_safe_segment(url_name) and self.files.present(target)
        if not _has_no_content(element) or not (_is_pointer(element) or has_file):
            return False
        if has_file:
            self.outline.used_files.add(target)
        self.findings.append(error(
            file, element.sourceline or 0,
            f"the {element.tag} block {url_name!r} is written as a pointer to {target}; Open edX "
            "does not import pointers for pip-installed XBlocks",
            f"write the block inline here, with its content inside <{element.tag}>...</"
            f"{element.tag}>, and delete {target}", "custom-block"))
        return True

    def _read_block(self, element: etree._Element, file: str) -> Block | None:
        line = self.files.attribute_line(file, element, "url_name")
        url_name = element.get("url_name")
        if not _is_pointer(element):
            self._check_not_a_pointer(element, file)
            block = Block(element.tag, url_name, file, line, element, file)
            self.outline.blocks.append(block)
            return block
        if not is_safe_segment(url_name):
            # Not followed; the url-name check reports the value.
            self.outline.complete = False
            self.outline.blocks.append(Block(element.tag, url_name, file, line, element, file))
            return None
        target = f"{element.tag}/{url_name}.xml"
        if target in self.pointed_from:
            first_file, first_line = self.pointed_from[target]
            self.findings.append(error(
                file, line, f"{target} is used a second time (first at {first_file}:"
                f"{first_line}); both copies would share one url_name",
                "give the second one its own file and url_name, or remove it", "pointer"))
            return None
        self.pointed_from[target] = (file, line)
        root = self._follow(element, element.tag, target, file)
        if root is None:
            return None
        block = Block(element.tag, url_name, file, line, root, target)
        self.outline.blocks.append(block)
        return block

    def _check_not_a_pointer(self, element: etree._Element, file: str) -> None:
        """An empty element with url_name and more attributes looks like a pointer but is not."""
        url_name = element.get("url_name")
        if not url_name or not _has_no_content(element) or not is_safe_segment(url_name):
            return
        if element.tag == "html" and element.get("filename"):
            return
        target = f"{element.tag}/{url_name}.xml"
        if self.files.present(target):
            self.outline.used_files.add(target)
            self.outline.complete = False
            extra = ", ".join(sorted(set(element.attrib) - {"url_name"}))
            self.findings.append(error(
                file, element.sourceline or 0,
                f'<{element.tag} url_name="{url_name}"> has other attributes ({extra}), so Open '
                f"edX reads it as an empty block and ignores {target}",
                f"keep only url_name on the pointer and move {extra} into {target}", "pointer"))

    def _follow(self, pointer: etree._Element, kind: str, target: str,
                file: str) -> etree._Element | None:
        line = pointer.sourceline or 0
        self.outline.used_files.add(target)
        if not self.files.present(target):
            self.outline.complete = False
            self.findings.append(error(
                file, line, f'<{kind} url_name="{pointer.get("url_name")}"> points to {target}, '
                "which does not exist", f"create {target}, or correct the url_name", "pointer"))
            return None
        root = self.files.xml(target)
        if root is None:
            self.outline.complete = False
            return None  # refused or unparsable: already reported
        if root.tag != kind:
            self.outline.complete = False
            self.findings.append(error(
                target, root.sourceline or 1, f"{target} holds a <{root.tag}>, but the pointer "
                f"at {file}:{line} expects a <{kind}>", f"make the file's top element <{kind}>",
                "pointer"))
            return None
        return root

    def _read_html_file(self, block: Block) -> None:
        filename = block.element.get("filename")
        if not filename or len(block.element):
            return
        target = f"html/{filename}.html"
        line = block.element.sourceline or 0
        if not is_safe_relative_path(filename) or ":" in filename:
            self.outline.complete = False
            self.findings.append(error(
                block.source, line, f"filename={filename!r} does not name a file inside html/",
                "write only the file's name, without folders, '..' or ':'", "pointer"))
            return
        self.outline.used_files.add(target)
        if not self.files.present(target):
            self.outline.complete = False
            self.findings.append(error(
                block.source, line, f"filename={filename!r} names {target}, which does not exist",
                f"create {target}, or correct the filename", "pointer"))


def _orphan_fix(folder: str, name: str, custom_types: frozenset[str]) -> str:
    if folder in custom_types:
        return f"delete it; a {folder} block is written inline in its vertical, not in a file"
    stem = name[len(folder) + 1:].rsplit(".", 1)[0]
    how = (f'<html filename="{stem}"/>' if name.endswith(".html")
           else f'<{folder} url_name="{stem}"/>')
    return f"delete it, or use it from its parent with {how}"


def _is_pointer(element: etree._Element) -> bool:
    """The platform's rule: only a url_name attribute, no children, no text."""
    return set(element.attrib) == {"url_name"} and _has_no_content(element)


def _has_no_content(element: etree._Element) -> bool:
    return len(element) == 0 and not (element.text or "").strip()


def _is_course_key_part(value: str) -> bool:
    return value.isascii() and all(char.isalnum() or char in "_-." for char in value)
