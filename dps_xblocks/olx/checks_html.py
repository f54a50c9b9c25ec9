"""HTML components: nothing that runs code, and the basics of accessibility.

The learners of this course include older people, people with disabilities and people new to
smartphones, many of whom use a screen reader or large text. The checks are those a machine can
decide without doubt:

- no `<script>`, no `on...` event handler attribute, no `javascript:` URL (the platform strips
  some of them for some roles, not all; behaviour belongs in an XBlock, which is reviewed);
- every `<img>` has an `alt` (empty for a purely decorative image);
- headings do not skip a level; the platform's page supplies the h1 and h2, so a component
  starts at h2 or h3, and an `<h1>` in a component is a warning;
- every link has text that says where it leads, not just "bấm vào đây" or "click here".

The course language (`language="vi"`) is checked once for the course, in `checks_policy`, so
a component need not repeat `lang`.
"""

import re
import unicodedata

from lxml import etree

from .checks_structure import Outline
from .validation_files import CourseFiles, remembered
from .validation_findings import Finding, crash_guard, error, warning

HEADING = re.compile(r"h([1-6])")
# Whole link texts that do not say where a link leads (compared after normalising).
VAGUE_LINK_TEXTS = frozenset({
    "bấm vào đây", "nhấn vào đây", "bấm đây", "nhấn đây", "tại đây", "ở đây", "đây",
    "xem tại đây", "xem thêm", "click here", "click", "here", "link", "more", "read more",
})
DECORATIVE_ROLES = frozenset({"presentation", "none"})


def check_html(files: CourseFiles, outline: Outline) -> list[Finding]:
    """Check every HTML file of the course and every HTML component written inline in XML."""
    findings: list[Finding] = []
    for name, root in files.html_files():
        with crash_guard(findings, "html", name):
            findings += remembered(("html", name, root), check_html_tree, root, name)
    for block in outline.of_kind("html"):
        if len(block.element):
            with crash_guard(findings, "html", block.source):
                findings += remembered(("html-inline", block.source, block.element),
                                       check_html_tree, block.element, block.source, True)
    return findings


def check_html_tree(root: etree._Element, file: str, skip_root: bool = False) -> list[Finding]:
    """Check one HTML tree; `skip_root` leaves out an OLX `<html>` element's own attributes."""
    findings = []
    previous_heading = None
    for element in root.iter(tag=etree.Element):
        if skip_root and element is root:
            continue
        tag = etree.QName(element).localname.lower()
        line = element.sourceline or 0
        findings += _code_findings(element, tag, file, line)
        if tag == "img":
            findings += _image_findings(element, file, line)
        elif tag == "a" and element.get("href") is not None:
            findings += _link_findings(element, file, line)
        heading = HEADING.fullmatch(tag)
        if heading:
            level = int(heading.group(1))
            findings += _heading_findings(level, previous_heading, file, line)
            previous_heading = level
    return findings


def _code_findings(element, tag, file, line):
    findings = []
    if tag == "script":
        findings.append(error(
            file, line, "a <script> element in a component",
            "remove it; behaviour belongs in an XBlock, not in course HTML", "html-script"))
    for attribute, value in element.attrib.items():
        name = etree.QName(attribute).localname.lower()
        if name.startswith("on"):
            findings.append(error(
                file, line, f"the event handler {name}={value!r} on <{tag}> runs JavaScript",
                f"remove the {name} attribute", "html-handler"))
        compact = "".join(char for char in value if char.isprintable() and not char.isspace())
        if compact.lower().startswith("javascript:"):
            findings.append(error(
                file, line, f"the {name} of <{tag}> is a javascript: URL ({value!r})",
                "link to a page or a /static/ file instead", "html-js-url"))
    return findings


def _image_findings(element, file, line):
    decorative = (element.get("aria-hidden") == "true"
                  or element.get("role", "").strip().lower() in DECORATIVE_ROLES)
    if element.get("alt") is not None or decorative:
        return []
    return [error(
        file, line, f"the image {element.get('src', '')!r} has no alt text; a screen reader "
        "would read its file name", 'describe what the image shows in alt="...", or write '
        'alt="" if it is only decoration', "img-alt")]


def _link_findings(element, file, line):
    href = element.get("href")
    text = element.get("aria-label") or " ".join([
        *element.itertext(), *(image.get("alt", "") for image in element.iter("img"))])
    spoken = _normalise(text)
    if not spoken:
        return [error(
            file, line, f"the link to {href!r} has no text; a screen reader only says 'link'",
            "write what the link opens as its text", "link-text")]
    if spoken in VAGUE_LINK_TEXTS:
        return [error(
            file, line, f"the link text {text.strip()!r} does not say where the link to "
            f"{href!r} leads", "write what the link opens, such as 'Cổng dịch vụ công quốc "
            "gia', as the link text", "link-text")]
    return []


def _heading_findings(level, previous, file, line):
    if level == 1:
        return [warning(
            file, line, "an <h1> in a component; the page already has the course's h1 and the "
            "unit's h2", "start the component's headings at <h2> or <h3>", "heading")]
    if previous is None and level > 3:
        return [error(
            file, line, f"the first heading is <h{level}>; a component starts at <h2> or <h3>, "
            "so a screen reader user would miss levels", "use <h2> or <h3> here", "heading")]
    if previous is not None and level > previous + 1:
        return [error(
            file, line, f"<h{level}> follows <h{previous}>, skipping <h{previous + 1}>",
            f"use <h{previous + 1}> here, or add the missing level above", "heading")]
    return []


def _normalise(text: str) -> str:
    words = unicodedata.normalize("NFC", text).casefold().split()
    return " ".join(words).strip(" .:!?…»›>-–—")
