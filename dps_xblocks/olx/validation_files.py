"""The course folder as the validator sees it: an index of its files, read safely, parsed once.

A course under review is untrusted input (it may come from anyone's pull request), so this is
the only module that opens files, and it never reads outside the course folder:

- a symlink that points outside the folder is refused, and so is a broken one;
- a path with `..`, an absolute path or a backslash is never opened;
- an OLX file (XML, HTML, JSON) over `MAX_FILE_BYTES` is refused without being read;
- XML goes through the engine's hardened parser, and a file that declares a DOCTYPE or an entity
  is refused before parsing: OLX never needs one, and entities are how XML bombs and file
  disclosure attacks work.

Static files (images, PDFs) are listed but never read: the checks only need their names.

A course can also be given as its files in memory (`CourseFiles.in_memory`), the way the
city-wide build checks each package before writing it: the same checks, on exactly the bytes
the package holds, with no folder to read.
"""

import hashlib
import logging
import os
import re
import stat
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from dps_xblocks.engine.parsing import hardened_parser

from .validation_findings import Finding, crash_guard, error

log = logging.getLogger(__name__)

# The biggest course file here is about 30 KB; 2 MB of OLX is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
STATIC_DIR = "static"
HTML_DIRS = ("html", "about", "info", "tabs")
# Files the validator reads; anything else (static assets, README files) is only listed.
READ_SUFFIXES = (".xml", ".html", ".json")
# Matched anywhere in the file, even in a comment or CDATA: simpler than finding the prolog,
# and OLX never needs the text. The cost is a false alarm on a CDATA code sample showing one.
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)")
# Parts of a path that name no file of their own: `a//b`, `a/./b`, `a/../b`.
_EMPTY_PARTS = frozenset({"", ".", ".."})
# The longest file name the usual file systems (ext4, XFS, NTFS, APFS) accept, in bytes.
MAX_NAME_BYTES = 255


# The city-wide build validates 126 packages that share almost every file: a file's parsed tree
# is kept by the hash of its bytes, so identical files are parsed once per process. The checks
# only read the trees.
_PARSED_LIMIT = 1024
_parsed: OrderedDict[tuple[str, bytes], etree._Element] = OrderedDict()
_REMEMBERED_LIMIT = 8192
_remembered: OrderedDict[tuple, object] = OrderedDict()


def _parse_cached(kind: str, data: bytes, parse) -> etree._Element:
    key = (kind, hashlib.sha256(data).digest())
    root = _parsed.get(key)
    if root is None:
        root = parse(data)
        _parsed[key] = root
        if len(_parsed) > _PARSED_LIMIT:
            _parsed.popitem(last=False)
    else:
        _parsed.move_to_end(key)
    return root


def remembered(key: tuple, compute, *args):
    """`compute(*args)`, or what it returned for an equal `key` earlier in this process.

    For what a check works out from one parsed file alone. The key holds an element of the
    file's tree: elements compare by identity, and a file's tree is shared only by files with
    the same bytes (see `_parse_cached`), so an equal key means the same content. The key
    keeps the element alive, so its identity cannot pass to another. It also holds the file's
    name when the result names the file. Results are shared: treat them as read-only.
    """
    if key in _remembered:
        _remembered.move_to_end(key)
        return _remembered[key]
    value = compute(*args)
    _remembered[key] = value
    if len(_remembered) > _REMEMBERED_LIMIT:
        _remembered.popitem(last=False)
    return value


class CourseFiles:
    """A read-only view of one course folder; `findings` holds what went wrong reading it."""

    def __init__(self, root: Path | None, contents: Mapping[str, bytes] | None = None):
        self.root = root  # the course folder, resolved; None for a course held in memory
        self._contents = contents  # the bytes of every file, for a course held in memory
        self.findings: list[Finding] = []
        self.sizes: dict[str, int] = {}  # readable regular files, by POSIX path in the course
        self.refused: set[str] = set()  # files listed but never read, with a finding each
        self.unparsed: set[str] = set()  # XML or HTML files that did not parse
        self._xml: dict[str, etree._Element] = {}
        self._html: dict[str, etree._Element] = {}
        self._texts: dict[str, str] = {}  # the text of every file read, for `attribute_line`
        self._lines: dict[str, list[str]] = {}
        self._has_links = False  # any symbolic link inside the folder, even an allowed one

    @classmethod
    def scan(cls, course_dir: Path) -> "CourseFiles":
        """List every file of `course_dir`, then parse its XML and HTML files."""
        files = cls(course_dir.resolve())
        files._walk(files.root, "", set())
        files._parse_all()
        return files

    @classmethod
    def in_memory(cls, contents: Mapping[str, bytes]) -> "CourseFiles":
        """The course whose files are `contents` (POSIX path in the course: bytes), parsed.

        Files are listed, refused and read as they would be from a folder holding them. A path
        no folder could hold (see `impossible_path`) gets an error and is left out.
        """
        files = cls(None, contents)
        folders = {name[:end] for name in contents for end, char in enumerate(name)
                   if char == "/"}
        for name in sorted(contents):
            problem = impossible_path(name)
            if not problem and name in folders:
                problem = "this path is a file and also the folder of other files"
            size = len(contents[name])
            if problem:
                files.findings.append(error(
                    name, 0, f"{problem}, which no course folder can hold", "give each file "
                    "a path relative to the course folder, of plain names separated by '/'",
                    "file-type"))
            elif name.endswith(READ_SUFFIXES) and size > MAX_FILE_BYTES:
                files._refuse_too_big(name, size)
            else:
                files.sizes[name] = size
        files._parse_all()
        return files

    def _parse_all(self) -> None:
        """Parse every listed XML file (outside static/) and HTML file of the HTML folders."""
        for name in self.names():
            if name.endswith(".xml") and not name.startswith(f"{STATIC_DIR}/"):
                with crash_guard(self.findings, "xml-syntax", name):
                    self._parse_xml(name)
            elif name.endswith(".html") and name.split("/")[0] in HTML_DIRS:
                with crash_guard(self.findings, "html", name):
                    self._parse_html(name)

    def names(self, folder: str = "") -> list[str]:
        """Sorted paths of the files under `folder` (all files when empty), refused ones too."""
        prefix = f"{folder}/" if folder else ""
        return sorted(name for name in (*self.sizes, *self.refused) if name.startswith(prefix))

    def exists(self, name: str) -> bool:
        """True if `name` is a usable file of the course (listed and not refused)."""
        return name in self.sizes

    def present(self, name: str) -> bool:
        """True if `name` is in the course at all, usable or refused."""
        return name in self.sizes or name in self.refused

    def xml(self, name: str) -> etree._Element | None:
        """The root element of the XML file `name`, or None if missing, refused or broken."""
        return self._xml.get(name)

    def html(self, name: str) -> etree._Element | None:
        """The root element of the HTML file `name`, or None if missing, refused or empty."""
        return self._html.get(name)

    def xml_files(self) -> list[tuple[str, etree._Element]]:
        """Every parsed XML file with its root element, in path order."""
        return sorted(self._xml.items(), key=lambda item: item[0])

    def html_files(self) -> list[tuple[str, etree._Element]]:
        """Every parsed HTML file with its root element, in path order."""
        return sorted(self._html.items(), key=lambda item: item[0])

    def attribute_line(self, name: str, element: etree._Element, attribute: str) -> int:
        """The line of `attribute` in the start tag of `element`, read from file `name`.

        lxml only knows the line where a start tag ends; an attribute of a tag written over
        several lines is found by reading back from there to the tag's opening `<`. Without
        the attribute, the line of that opening `<` is returned.
        """
        return remembered(("attribute-line", element, attribute), self._attribute_line, name,
                          element, attribute)

    def _attribute_line(self, name: str, element: etree._Element, attribute: str) -> int:
        end = element.sourceline or 1
        lines = self._lines_of(name)
        if not lines or end > len(lines) or not isinstance(element.tag, str):
            return end
        start = end
        opening = f"<{element.tag}"
        while start > 1 and opening not in lines[start - 1]:
            start -= 1
        pattern = re.compile(rf"(^|\s){re.escape(attribute)}\s*=")
        for number in range(start, end + 1):
            if pattern.search(lines[number - 1]):
                return number
        return start

    def _lines_of(self, name: str) -> list[str]:
        if name not in self._lines:
            # libxml2 counts lines by "\n" alone, not by the other breaks `splitlines` knows.
            self._lines[name] = self._texts[name].split("\n") if name in self._texts else []
        return self._lines[name]

    @property
    def complete(self) -> bool:
        """True when every OLX file could be read and parsed, so the outline is the whole course."""
        olx_refused = [name for name in self.refused if not name.startswith(f"{STATIC_DIR}/")]
        return not olx_refused and not self.unparsed

    def read_text(self, name: str) -> str | None:
        """The UTF-8 text of `name`; None (with a finding) if it cannot be read as such."""
        data = self._read(name)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as problem:
            self._refuse(name, _line_at(data, problem.start),
                         f"the file is not UTF-8 text (byte {problem.start + 1} is invalid)",
                         "save the file as UTF-8", "encoding")
            return None
        self._texts[name] = text
        return text

    def _walk(self, directory: Path, prefix: str, visited: set[Path]) -> None:
        visited.add(directory.resolve())
        with os.scandir(directory) as entries:
            listing = sorted(entries, key=lambda entry: entry.name)
        for entry in listing:
            name = f"{prefix}{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                self._has_links = True
                if not self._symlink_allowed(name, path):
                    continue
            try:
                info = path.stat()
            except OSError as problem:
                self._refuse(name, 0, f"the file cannot be read: {problem.strerror}",
                             "check the file's permissions", "file-type")
                continue
            if stat.S_ISDIR(info.st_mode):
                if path.resolve() not in visited:
                    self._walk(path, f"{name}/", visited)
            elif not stat.S_ISREG(info.st_mode):
                self._refuse(name, 0, "this is not a regular file (a device, pipe or socket)",
                             "remove it from the course folder", "file-type")
            elif name.endswith(READ_SUFFIXES) and info.st_size > MAX_FILE_BYTES:
                self._refuse_too_big(name, info.st_size)
            else:
                self.sizes[name] = info.st_size

    def _symlink_allowed(self, name: str, path: Path) -> bool:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            self._refuse(name, 0, "this symbolic link is broken or loops",
                         "replace the link by the file itself", "symlink")
            return False
        if not target.is_relative_to(self.root):
            # The target's path is not shown: it is outside the course and none of our business.
            self._refuse(name, 0, "this symbolic link points outside the course folder; it was "
                         "not followed", "copy the file into the course instead of linking to it",
                         "symlink")
            return False
        return True

    def _refuse_too_big(self, name: str, size: int) -> None:
        self._refuse(name, 0, f"the file is {size} bytes, more than the {MAX_FILE_BYTES} bytes "
                     "an OLX file may have; it was not read",
                     "split the content over several files, or move media to static/",
                     "file-size")

    def _refuse(self, name: str, line: int, message: str, fix: str, check: str) -> None:
        log.info("refused %s: %s", name, message)
        self.sizes.pop(name, None)
        self.refused.add(name)
        self.findings.append(error(name, line, message, fix, check))

    def _read(self, name: str) -> bytes | None:
        if not self.exists(name) or not is_safe_relative_path(name):
            return None
        if self._contents is not None:
            return self._contents[name]
        path = self.root / name
        # Without any link in the folder, a listed relative path cannot lead outside it; the
        # real path is worked out only when links exist, since that costs a system call per
        # path component of every file.
        if self._has_links and not path.resolve().is_relative_to(self.root):
            return None
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as problem:
            self._refuse(name, 0, f"the file cannot be read: {problem.strerror}",
                         "check the file's permissions", "file-type")
            return None
        if len(data) > MAX_FILE_BYTES:
            self._refuse(name, 0, f"the file grew past {MAX_FILE_BYTES} bytes while being read",
                         "split the content over several files", "file-size")
            return None
        return data

    def _parse_xml(self, name: str) -> None:
        text = self.read_text(name)
        if text is None:
            return
        data = text.encode("utf-8")
        declaration = _DECLARATION.search(data)
        if declaration:
            kind = declaration.group(1).decode()
            self._refuse(name, _line_at(data, declaration.start()),
                         f"the file declares a {kind} (<!{kind} ...>); OLX never needs a DTD or "
                         "entities, and they can make a parser expand a bomb or read other files",
                         "remove the declaration and write the characters themselves in UTF-8",
                         "xml-doctype")
            return
        try:
            root = _parse_cached("xml", data, lambda raw: etree.fromstring(raw, hardened_parser()))
        except etree.XMLSyntaxError as problem:
            self.unparsed.add(name)
            self.findings.append(error(
                name, problem.lineno or 1, f"the XML does not parse: {problem.msg}",
                "check that every tag is closed, every attribute quoted and every & written &amp;",
                "xml-syntax"))
            return
        self._xml[name] = root

    def _parse_html(self, name: str) -> None:
        text = self.read_text(name)
        if text is None or not text.strip():
            return
        parser = lxml_html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                                      remove_pis=True)
        root = _parse_cached("html", text.encode("utf-8"),
                             lambda raw: etree.fromstring(raw, parser))
        if root is not None:
            self._html[name] = root


def impossible_path(name: str) -> str:
    """Why no folder could hold a file at the POSIX path `name`; empty if one could.

    A backslash is a character like any other in a POSIX file name: such a file is listed but
    never read, as on disk (see `is_safe_relative_path`).
    """
    if "\0" in name:
        return "this path holds a NUL character"
    if name.startswith("/"):
        return "this path is absolute"
    parts = name.split("/")
    if _EMPTY_PARTS & set(parts):
        return "this path has an empty, '.' or '..' part"
    try:
        # As Python writes a name to a POSIX file system: a byte that was not UTF-8 in a name
        # read from disk comes back as that byte.
        encoded = [part.encode("utf-8", "surrogateescape") for part in parts]
    except UnicodeEncodeError:
        return "this path holds a lone surrogate, which no file name can"
    if any(len(part) > MAX_NAME_BYTES for part in encoded):
        return f"this path has a name longer than {MAX_NAME_BYTES} bytes"
    return ""


def is_safe_relative_path(reference: str) -> bool:
    """True if `reference` is a relative path that stays inside the folder it is resolved in."""
    if not reference or "\\" in reference or "\0" in reference:
        return False
    return not reference.startswith("/") and ".." not in reference.split("/")


def is_safe_segment(name: str) -> bool:
    """True if `name` can be one file name in a folder: no separator, no `..`, no `:` notation.

    The platform and olxcleaner read `<tag>/<url_name>.xml` and turn `:` into `/`.
    """
    return bool(name) and is_safe_relative_path(name) and "/" not in name and ":" not in name \
        and name not in (".", "..")


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
