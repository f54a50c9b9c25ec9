"""Course files in static/: every `/static/...` link resolves, and every file name is plain ASCII.

Links to course files are written `/static/<file>` in HTML and in XML attributes (an
`<image src>` in a scenario, an `<img>` in a problem); the platform rewrites them on import. A
link to a missing file shows a broken image or a dead link to a learner. A file name with spaces
or Vietnamese letters survives the upload, but its links need percent-encoding that authors and
tools get wrong, so names are kept to ASCII letters, digits, `_`, `.` and `-`.
"""

import re
from urllib.parse import unquote

from lxml import etree

from .checks_url_names import suggest_ascii_name
from .validation_files import STATIC_DIR, CourseFiles, is_safe_relative_path, remembered
from .validation_findings import Finding, error

# A link that starts with /static/: at the start of the value, or after a space, quote, "(" or
# "," (style and srcset attributes); not the /static/ inside https://host/static/x.png.
STATIC_LINK = re.compile(r"(?<![^\s\"'(,])/static/([^\s\"'<>()?#,]+)")
STATIC_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def check_static_names(files: CourseFiles) -> list[Finding]:
    """Report files and folders of static/ whose names are not plain ASCII."""
    findings = []
    for name in files.names(STATIC_DIR):
        parts = name.split("/")[1:]
        bad = [part for part in parts if not STATIC_NAME.fullmatch(part)]
        if bad:
            better = "/".join(suggest_ascii_name(part, "_.-") for part in parts)
            findings.append(error(
                name, 0, f"the name {bad[0]!r} has characters other than ASCII letters, digits, "
                "'_', '.' and '-'", f"rename it, for instance to static/{better}, and update its "
                "links", "static-name"))
    return findings


def check_static_links(files: CourseFiles) -> list[Finding]:
    """Report `/static/...` links in XML and HTML files that name no file of static/."""
    findings = []
    for name, root in (*files.xml_files(), *files.html_files()):
        for line, link in remembered(("static-links", root), _static_links, root):
            finding = _check_link(files, name, line, link)
            if finding is not None:
                findings.append(finding)
    return findings


def _static_links(root: etree._Element) -> tuple[tuple[int, str], ...]:
    """(line, link) for every `/static/...` link in the attributes of the tree `root`."""
    return tuple((element.sourceline or 0, match.group(0))
                 for element in root.iter(tag=etree.Element)
                 for value in element.attrib.values()
                 for match in STATIC_LINK.finditer(value))


def _check_link(files: CourseFiles, name: str, line: int, link: str) -> Finding | None:
    path = unquote(link[len("/static/"):])
    if not is_safe_relative_path(path):
        return error(name, line, f"the link {link!r} leads out of static/",
                     "link only to files inside static/, without '..'", "static-ref")
    if not files.exists(f"{STATIC_DIR}/{path}"):
        return error(name, line, f"the link {link!r} names a file that is not in static/",
                     f"add static/{path}, or correct the link", "static-ref")
    return None
