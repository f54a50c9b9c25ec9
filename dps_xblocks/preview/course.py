"""Read an OLX course folder (as Studio exports it) into plain data for the local preview.

Only what the preview shows is read: the outline (chapters, sequentials, verticals), HTML
components, the inline XBlocks the preview can run, and a placeholder for everything else.
Every XML file goes through a hardened lxml parser: no DTD, no entities, no network. Every file
is read by its real path, links followed, and only if that path is inside the course folder, so
a link in the course cannot show the learner a file from elsewhere on the laptop.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

log = logging.getLogger(__name__)

# Platform blocks (CAPA, `xblocks-contrib`, ORA) that need services only Open edX provides; the
# preview shows them as read-only notices even if a block of that name happens to be installed.
PLATFORM_ONLY_BLOCKS = frozenset({
    "problem", "video", "discussion", "library_content", "itembank", "lti", "lti_consumer",
    "conditional", "split_test", "word_cloud", "poll_question", "annotatable", "openassessment",
})

# Names are checked with `fullmatch`: with `match`, a "$" lets a trailing newline through.
# A url_name that names a pointer file must stay inside its folder: no path separators, no "..".
_POINTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# A runnable block's url_name becomes the prefix of its usage id, whose parts are split on ".",
# and is the identity of learner state: ASCII letters, digits, "_" and "-" only.
_BLOCK_NAME = re.compile(r"[A-Za-z0-9_-]+")
# A DOCTYPE can only come before the root element, after the XML declaration and comments.
_DOCTYPE_IN_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S)
_DOCTYPE_REFUSED = (
    "a DOCTYPE (DTD or entity declaration) is not allowed in OLX; remove it and write "
    "characters directly in UTF-8"
)


class OlxError(Exception):
    """An OLX course that the preview cannot read, with the file and line at fault."""

    def __init__(self, path: Path, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class HtmlComponent:
    """An HTML component and its page body, links left exactly as the author wrote them."""

    url_name: str
    display_name: str
    html: str
    source: Path


@dataclass(frozen=True)
class XBlockComponent:
    """An installed XBlock written inline in a vertical, kept as its serialised element."""

    block_type: str
    url_name: str
    display_name: str
    xml: str
    source: Path
    line: int | None


@dataclass(frozen=True)
class PlaceholderComponent:
    """A block the preview cannot run (CAPA problem, video, uninstalled type): shown as a notice."""

    block_type: str
    url_name: str
    display_name: str
    source: Path


Component = HtmlComponent | XBlockComponent | PlaceholderComponent


@dataclass(frozen=True)
class Unit:
    """A vertical: one page of the course, its components in order."""

    url_name: str
    display_name: str
    components: tuple[Component, ...]
    source: Path


@dataclass(frozen=True)
class Sequential:
    """A subsection: an ordered run of units."""

    url_name: str
    display_name: str
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Chapter:
    """A section of the course outline."""

    url_name: str
    display_name: str
    sequentials: tuple[Sequential, ...]


@dataclass(frozen=True)
class Course:
    """A whole course as the preview shows it."""

    root: Path
    org: str
    number: str
    run: str
    display_name: str
    chapters: tuple[Chapter, ...]
    language: str = "vi"

    @property
    def static_dir(self) -> Path:
        """The course's `static/` folder, which `/static/<file>` links point into."""
        return self.root / "static"

    def static_file(self, relative_path: str) -> Path | None:
        """The real path of `static/<relative_path>`, or None if it would leave `static/`.

        Links are followed first, so a link in `static/` to a file elsewhere (or a `static/`
        that is itself a link out of the course folder) gives None. The path returned may
        not exist.
        """
        static_dir = real_path_inside(self.static_dir, self.root)
        if static_dir is None:
            return None
        return real_path_inside(static_dir / relative_path, static_dir)

    def units(self) -> list[Unit]:
        """All units in outline order, the order the previous/next links follow."""
        return [
            unit
            for chapter in self.chapters
            for sequential in chapter.sequentials
            for unit in sequential.units
        ]

    def xblock_components(self) -> list[XBlockComponent]:
        """Every runnable XBlock in the course, in outline order."""
        return [
            component
            for unit in self.units()
            for component in unit.components
            if isinstance(component, XBlockComponent)
        ]


@cache
def is_xblock_installed(block_type: str) -> bool:
    """Tell whether an XBlock class is installed under `block_type` (an `xblock.v1` entry point)."""
    from xblock.core import XBlock
    from xblock.plugin import PluginMissingError

    try:
        XBlock.load_class(block_type)
    except PluginMissingError:
        return False
    return True


def read_course(
    root: Path, is_installed: Callable[[str], bool] = is_xblock_installed
) -> Course:
    """Read the course in folder `root`; raise `OlxError` naming the file for anything unreadable.

    `is_installed` decides which inline tags are runnable XBlocks; any other tag becomes a
    placeholder.
    """
    reader = _CourseReader(Path(root), is_installed)
    return reader.read()


def real_path_inside(path: Path, folder: Path) -> Path | None:
    """The real path of `path`, links followed, if it is inside the real path of `folder`.

    None when it is outside, or when it cannot be resolved (a link loop, a null byte).
    """
    try:
        real_path = path.resolve()
        real_folder = folder.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop is RuntimeError before 3.13
        return None
    return real_path if real_path.is_relative_to(real_folder) else None


def parse_xml_file(path: Path) -> etree._Element:
    """Parse one OLX file with the hardened parser and return its root element.

    DTDs are refused outright because entity declarations are how XML bombs and file-reading
    (XXE) attacks get in, and OLX never needs one.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise OlxError(path, "file is missing") from None
    except OSError as exc:
        raise OlxError(path, f"cannot be read ({exc.strerror})") from None
    return parse_xml_bytes(data, path)


def parse_xml_bytes(data: bytes, path: Path) -> etree._Element:
    """Parse OLX bytes that came from `path` with the hardened parser; refuse any DOCTYPE."""
    if _DOCTYPE_IN_PROLOG.match(data):
        raise OlxError(path, _DOCTYPE_REFUSED, 1)

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OlxError(path, f"not well-formed XML: {exc.msg}", exc.lineno) from None

    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise OlxError(path, _DOCTYPE_REFUSED, 1)
    return root


def _elements(parent: etree._Element) -> list[etree._Element]:
    """The child elements of `parent`, without comments and processing instructions."""
    return [child for child in parent if isinstance(child.tag, str)]


def _is_pointer(element: etree._Element) -> bool:
    """Tell whether `element` only points to `<tag>/<url_name>.xml` (Studio's export form)."""
    attributes = set(element.attrib) - {"xblock-family"}
    has_text = bool((element.text or "").strip())
    return attributes == {"url_name"} and not _elements(element) and not has_text


class _CourseReader:
    """Walks course.xml down to the components, resolving pointers as it goes."""

    def __init__(self, root: Path, is_installed: Callable[[str], bool]):
        self.root = root
        self.is_installed = is_installed
        self.unit_sources: dict[str, Path] = {}
        self.block_sources: dict[str, Path] = {}

    def read(self) -> Course:
        """Read course.xml and everything it points to."""
        if not self.root.is_dir():
            raise OlxError(self.root, "course folder does not exist; give a folder with course.xml")
        course_xml = self._inside_course(self.root / "course.xml")
        if not course_xml.is_file():
            raise OlxError(
                course_xml, "file is missing; a course folder (Studio export) holds course.xml"
            )

        pointer = parse_xml_file(course_xml)
        if pointer.tag != "course":
            raise OlxError(
                course_xml,
                f"root element is <{pointer.tag}>, expected <course>",
                pointer.sourceline,
            )
        run = pointer.get("url_name", "")
        org = pointer.get("org", "")
        number = pointer.get("course", "")
        if _elements(pointer):
            element, source = pointer, course_xml
        else:
            if not run:
                raise OlxError(
                    course_xml,
                    '<course> has neither children nor url_name; write <course url_name="RUN" '
                    'org="ORG" course="NUMBER"/> and put the course in course/RUN.xml',
                    pointer.sourceline,
                )
            source = self._pointer_path("course", run, course_xml, pointer.sourceline)
            element = self._parse_expecting(source, "course")

        chapters = tuple(
            self._chapter(child, source)
            for child in _elements(element)
            if child.tag == "chapter"
        )
        display_name = element.get("display_name") or f"{org} {number}".strip() or run
        language = element.get("language") or "vi"
        return Course(self.root, org, number, run, display_name, chapters, language)

    def _chapter(self, element: etree._Element, source: Path) -> Chapter:
        element, source = self._resolve(element, source)
        sequentials = tuple(
            self._sequential(child, source)
            for child in self._children_of(element, source, "sequential")
        )
        url_name = element.get("url_name", "")
        return Chapter(url_name, element.get("display_name") or url_name, sequentials)

    def _sequential(self, element: etree._Element, source: Path) -> Sequential:
        element, source = self._resolve(element, source)
        units = tuple(
            self._unit(child, source)
            for child in self._children_of(element, source, "vertical")
        )
        url_name = element.get("url_name", "")
        return Sequential(url_name, element.get("display_name") or url_name, units)

    def _unit(self, element: etree._Element, source: Path) -> Unit:
        line = element.sourceline
        element, unit_source = self._resolve(element, source)
        url_name = element.get("url_name", "")
        if not _BLOCK_NAME.fullmatch(url_name):
            raise OlxError(
                unit_source,
                f"vertical url_name {url_name!r} is missing or not ASCII [A-Za-z0-9_-]; the unit "
                "page address and learner state depend on it, so give it a stable url_name",
                line,
            )
        if url_name in self.unit_sources:
            raise OlxError(
                unit_source,
                f"vertical url_name {url_name!r} is used twice (also in "
                f"{self.unit_sources[url_name]}); url_names must be unique",
                line,
            )
        self.unit_sources[url_name] = unit_source

        components = tuple(
            self._component(child, unit_source) for child in _elements(element)
        )
        return Unit(url_name, element.get("display_name") or url_name, components, unit_source)

    def _component(self, element: etree._Element, source: Path) -> Component:
        block_type = element.tag
        if block_type == "html":
            return self._html(element, source)
        if block_type not in PLATFORM_ONLY_BLOCKS and self._installed(element, source):
            return self._xblock(element, source)

        element, source = self._resolve(element, source)
        url_name = element.get("url_name", "")
        return PlaceholderComponent(
            block_type, url_name, element.get("display_name") or "", source
        )

    def _installed(self, element: etree._Element, source: Path) -> bool:
        try:
            return self.is_installed(element.tag)
        except Exception as exc:  # a broken plugin must name itself, not crash
            raise OlxError(
                source,
                f"<{element.tag}> is an installed XBlock that cannot be loaded ({exc}); "
                "reinstall the package that provides it",
                element.sourceline,
            ) from None

    def _html(self, element: etree._Element, source: Path) -> HtmlComponent:
        element, source = self._resolve(element, source)
        url_name = element.get("url_name", "")
        display_name = element.get("display_name") or ""
        filename = element.get("filename")
        if filename is None:
            return HtmlComponent(url_name, display_name, _inner_html(element), source)

        if not _POINTER_NAME.fullmatch(filename):
            raise OlxError(
                source,
                f"html filename {filename!r} must be a plain name (letters, digits, _ . -) "
                "of a file in the html/ folder, without the .html extension",
                element.sourceline,
            )
        html_path = self._inside_course(self.root / "html" / f"{filename}.html")
        try:
            html = html_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise OlxError(
                html_path,
                f"file is missing; {source.name} names it with filename={filename!r}",
            ) from None
        except UnicodeDecodeError as exc:
            raise OlxError(
                html_path, f"is not UTF-8 (byte {exc.start}); save it as UTF-8"
            ) from None
        return HtmlComponent(url_name, display_name, html, html_path)

    def _xblock(self, element: etree._Element, source: Path) -> XBlockComponent:
        block_type = element.tag
        url_name = element.get("url_name", "")
        if _is_pointer(element):
            raise OlxError(
                source,
                f'<{block_type} url_name="{url_name}"/> points to another file, but Open edX '
                "does not import pip-installed blocks written that way (openedx-platform issue "
                f"36390); write the <{block_type}> element inline here",
                element.sourceline,
            )
        if not _BLOCK_NAME.fullmatch(url_name):
            raise OlxError(
                source,
                f"<{block_type}> url_name {url_name!r} is missing or not ASCII [A-Za-z0-9_-]; "
                "learner state is keyed by it, so give the block a stable url_name",
                element.sourceline,
            )
        if url_name in self.block_sources:
            raise OlxError(
                source,
                f"<{block_type}> url_name {url_name!r} is used twice (also in "
                f"{self.block_sources[url_name]}); url_names must be unique",
                element.sourceline,
            )
        self.block_sources[url_name] = source

        xml = etree.tostring(element, encoding="unicode", with_tail=False)
        return XBlockComponent(
            block_type, url_name, element.get("display_name") or "", xml, source,
            element.sourceline,
        )

    def _children_of(
        self, element: etree._Element, source: Path, tag: str
    ) -> list[etree._Element]:
        """The `tag` children of `element`; other children are logged and left out."""
        children = []
        for child in _elements(element):
            if child.tag == tag:
                children.append(child)
            else:
                log.warning(
                    "%s:%s: <%s> inside <%s> is not shown by the preview (expected <%s>)",
                    source, child.sourceline, child.tag, element.tag, tag,
                )
        return children

    def _resolve(
        self, element: etree._Element, source: Path
    ) -> tuple[etree._Element, Path]:
        """Follow a pointer element to its own file; return an inline element as it is."""
        if not _is_pointer(element):
            return element, source

        url_name = element.get("url_name")
        path = self._pointer_path(element.tag, url_name, source, element.sourceline)
        target = self._parse_expecting(path, element.tag)
        target.set("url_name", url_name)
        return target, path

    def _pointer_path(self, tag: str, url_name: str, source: Path, line: int | None) -> Path:
        if not _POINTER_NAME.fullmatch(url_name):
            raise OlxError(
                source,
                f"<{tag}> url_name {url_name!r} cannot name a file; use ASCII letters, digits, "
                "_ and - only",
                line,
            )
        path = self._inside_course(self.root / tag / f"{url_name}.xml")
        if not path.is_file():
            raise OlxError(
                path,
                f'file is missing; <{tag} url_name="{url_name}"/> in {source.name} points to it',
            )
        return path

    def _inside_course(self, path: Path) -> Path:
        """`path` itself, once sure that links do not lead it out of the course folder.

        The preview shows what it reads to every learner, so a linked file from elsewhere on
        the laptop would be published by it; the author has to copy such a file in.
        """
        try:
            real_path = path.resolve()
        except (OSError, RuntimeError) as exc:  # a link loop: RuntimeError before Python 3.13
            raise OlxError(
                path, f"cannot be resolved ({exc}); put the file itself here, not a link"
            ) from None
        real_root = self.root.resolve()
        if not real_path.is_relative_to(real_root):
            raise OlxError(
                path,
                f"leads to {real_path}, outside the course folder {real_root}; the preview reads "
                "only files inside the course folder, so copy the file in instead of linking to it",
            )
        return path

    def _parse_expecting(self, path: Path, tag: str) -> etree._Element:
        element = parse_xml_file(path)
        if element.tag != tag:
            raise OlxError(
                path, f"root element is <{element.tag}>, expected <{tag}>", element.sourceline
            )
        return element


def _inner_html(element: etree._Element) -> str:
    """The content of an inline `<html>` element, serialised as HTML."""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts).strip()
