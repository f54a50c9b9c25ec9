"""What the translation scripts and tests share: where strings come from and what a catalogue is.

The block's strings are English msgids marked in the Python source with `_()`, `gettext()` or
`gettext_noop()`. Each language has a gettext catalogue in
`translations/<locale>/LC_MESSAGES/text.po`, compiled to
`dps_xblocks/translations/<locale>/LC_MESSAGES/text.mo`, where Open edX looks for a block's
bundled translations. `scripts/extract_strings.py` brings the catalogues up to date with the
source; `scripts/check_translations.py` refuses catalogues that are incomplete, inconsistent or
not compiled. Both only need Python and GNU gettext (`xgettext`, `msgmerge`, `msgfmt`).

The source is read twice, on purpose: `xgettext` writes the template that `msgmerge` applies,
and Python's own parser gives the list of msgids to check against. xgettext 0.21 does not look
inside f-strings, so a `_()` call there is invisible to it; comparing the two lists turns that
silent loss into an error that names the line.
"""

import ast
import shutil
import string
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dps_xblocks"
SOURCE_CATALOGUES = ROOT / "translations"
COMPILED_CATALOGUES = PACKAGE / "translations"
DOMAIN = "text"
SOURCE_LANGUAGE = "en"
"""The language of the msgids; its catalogue repeats each msgid as its translation."""

# The preview is a local tool for course authors, served by Django, not part of the block: its
# pages are not translated through the block's catalogue.
EXCLUDED_SOURCE = (PACKAGE / "preview",)

# Translation functions and the positions of their msgid arguments (singular, plural). The same
# table drives xgettext and the Python-side extraction, so that both look for the same calls.
# Header fields of xgettext's template that msgmerge would copy into every catalogue: a date that
# changes on each run, and a bug address the project does not use.
VOLATILE_HEADER = ('"POT-Creation-Date:', '"Report-Msgid-Bugs-To:')

KEYWORDS = {
    "_": (0,),
    "gettext": (0,),
    "ugettext": (0,),
    "gettext_noop": (0,),
    "ngettext": (0, 1),
    "ungettext": (0, 1),
}


class ToolError(RuntimeError):
    """A gettext program is missing or failed; the message says which and how to get it."""


@dataclass(frozen=True)
class SourceMessage:
    """One marked string in the Python source, with the place it was found."""

    msgid: str
    msgid_plural: str | None
    path: Path
    line: int

    @property
    def place(self) -> str:
        """`path:line`, relative to the project when inside it, as editors and terminals link it."""
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


@dataclass
class Entry:
    """One entry of a PO file; `msgstr` holds one string, or one per plural form."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        """Whether a translator still has to confirm this translation."""
        return "fuzzy" in self.flags

    @property
    def key(self) -> tuple[str | None, str]:
        """What identifies the entry in a catalogue: its context and msgid."""
        return self.msgctxt, self.msgid


def source_files() -> list[Path]:
    """The Python files of the block whose strings go into the catalogues, in a stable order."""
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if not any(path.is_relative_to(excluded) for excluded in EXCLUDED_SOURCE))


def locales() -> list[str]:
    """The languages that have a catalogue: every `translations/<locale>/` with a `text.po`."""
    return sorted(path.parent.parent.name
                  for path in SOURCE_CATALOGUES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(locale: str) -> Path:
    """The editable catalogue of `locale`."""
    return SOURCE_CATALOGUES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    """The compiled catalogue of `locale`, shipped inside the package."""
    return COMPILED_CATALOGUES / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def messages_in(path: Path) -> Iterator[SourceMessage]:
    """The marked strings of one Python file, found by Python's parser (f-strings included).

    A call whose msgid is not a string literal (`gettext(self.text)`) translates a msgid marked
    elsewhere and is skipped.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        positions = KEYWORDS.get(_called_name(node))
        if positions is None or len(node.args) < len(positions):
            continue
        texts = [_literal(node.args[position]) for position in positions]
        if None in texts:
            continue
        yield SourceMessage(texts[0], texts[1] if len(texts) > 1 else None, path, node.lineno)


def source_messages(paths: Iterable[Path] | None = None) -> dict[str, SourceMessage]:
    """Every marked string of the block, by msgid; a msgid used twice keeps its first place."""
    found: dict[str, SourceMessage] = {}
    for path in source_files() if paths is None else paths:
        for message in sorted(messages_in(path), key=lambda message: message.line):
            found.setdefault(message.msgid, message)
    return found


def run_tool(*arguments: str) -> subprocess.CompletedProcess:
    """Run a GNU gettext program; raise `ToolError` with its own message if it fails."""
    if shutil.which(arguments[0]) is None:
        raise ToolError(f"{arguments[0]} is not installed; it comes with GNU gettext "
                        "(Debian package `gettext`, or `make system-deps`).")
    result = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ToolError(f"{' '.join(arguments)} failed with status {result.returncode}:\n"
                        f"{result.stderr.strip()}")
    return result


def xgettext_template(output: Path, paths: Iterable[Path] | None = None) -> Path:
    """Write the PO template of the source to `output`, sorted and without line numbers.

    The `VOLATILE_HEADER` fields are left out of the template, so that bringing the catalogues
    up to date changes them only where a string changed.
    """
    keywords = [f"--keyword={name}" if positions == (0,) else
                f"--keyword={name}:{','.join(str(position + 1) for position in positions)}"
                for name, positions in KEYWORDS.items()]
    files = [str(path) for path in (source_files() if paths is None else paths)]
    # A bare --keyword drops xgettext's own list, so that KEYWORDS is the whole list.
    run_tool("xgettext", "--language=Python", "--from-code=UTF-8", "--keyword", *keywords,
             "--add-comments=Translators:", "--no-location", "--sort-output",
             f"--output={output}", *files)
    lines = output.read_text(encoding="utf-8").splitlines(keepends=True)
    output.write_text("".join(line for line in lines if not line.startswith(VOLATILE_HEADER)),
                      encoding="utf-8")
    return output


def _by_place(item: tuple[str, SourceMessage]) -> tuple[str, int]:
    return str(item[1].path), item[1].line


def hidden_from_xgettext(template: list[Entry],
                         messages: dict[str, SourceMessage]) -> list[str]:
    """Problems where xgettext and Python's parser disagree on the strings of the source."""
    extracted = {entry.msgid for entry in template if entry.msgid and not entry.obsolete}
    problems = [f"{message.place}: xgettext cannot see the msgid {msgid!r}; it is probably "
                "inside an f-string. Assign the translated text to a variable first and use "
                "the variable in the f-string."
                for msgid, message in sorted(messages.items(), key=_by_place)
                if msgid not in extracted]
    problems += [f"xgettext found the msgid {msgid!r}, which Python's parser does not see as a "
                 "literal argument of a translation function; write it as one string literal."
                 for msgid in sorted(extracted - set(messages))]
    return problems


def _unquote(text: str, path: Path, number: int) -> str:
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = None
    if not isinstance(value, str) or not text.startswith('"'):
        raise ValueError(f"{path}:{number}: expected a quoted PO string, found {text!r}")
    return value


def read_po(path: Path) -> list[Entry]:
    """Parse a PO file (UTF-8) into entries, obsolete ones included and marked as such.

    Only what the checks need is kept: msgctxt, msgid, msgid_plural, msgstr(s) and flags. An
    entry ends where a comment or a new msgctxt/msgid follows its msgstr.
    """
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~") and not line.startswith("#~|")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = line.startswith("#") or keyword in ("msgctxt", "msgid")
        if starts_entry and entry is not None and entry.msgstr:
            entries.append(entry)
            entry, target = None, None
        if line.startswith("#"):
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue

        entry = entry or Entry(line=number)
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a quoted string that follows no keyword")
            _append(entry, target, _unquote(line, path, number))
            continue
        if keyword == "msgid":
            entry.line = number
        entry.obsolete = entry.obsolete or obsolete
        target = _target(keyword, path, number)
        _start(entry, target)
        _append(entry, target, _unquote(rest.strip(), path, number))
    if entry is not None and (entry.msgstr or entry.msgid):
        entries.append(entry)
    return entries


def _target(keyword: str, path: Path, number: int) -> tuple[str, int]:
    if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
        return keyword, 0
    if keyword.startswith("msgstr[") and keyword.endswith("]") and keyword[7:-1].isdigit():
        return "msgstr", int(keyword[7:-1])
    raise ValueError(f"{path}:{number}: unknown PO keyword {keyword!r}")


def _start(entry: Entry, target: tuple[str, int]) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr.extend([""] * (index + 1 - len(entry.msgstr)))
    else:
        setattr(entry, name, "")


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def header(entries: list[Entry]) -> dict[str, str]:
    """The header fields of a catalogue (the msgstr of its empty msgid), by name."""
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            pairs = (line.partition(":") for line in "".join(entry.msgstr).splitlines())
            return {name.strip(): value.strip() for name, _, value in pairs if name.strip()}
    return {}


def placeholders(text: str) -> list[str] | None:
    """The `{name}` fields of a Python format string, sorted; None if the braces are broken."""
    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text)
                      if name is not None)
    except ValueError:
        return None


def _entry_problems(locale: str, entry: Entry) -> list[str]:
    where = f"{po_path(locale).relative_to(ROOT)}:{entry.line}"
    if entry.fuzzy:
        return [f"{where}: the translation of {entry.msgid!r} is marked fuzzy; check it and "
                "remove the fuzzy flag."]
    if not entry.msgstr or not all(entry.msgstr):
        return [f"{where}: {entry.msgid!r} has no translation."]

    problems = []
    allowed = [placeholders(entry.msgid)]
    if entry.msgid_plural is not None:
        allowed.append(placeholders(entry.msgid_plural))
    for translation in entry.msgstr:
        found = placeholders(translation)
        if found is None:
            problems.append(f"{where}: the translation {translation!r} has a lone {{ or }}; "
                            "write a literal brace as {{ or }}.")
        elif found not in allowed:
            problems.append(f"{where}: the translation {translation!r} has the placeholders "
                            f"{found}, but {entry.msgid!r} has {allowed[0]}; they must be the "
                            "same.")
        if unicodedata.normalize("NFC", translation) != translation:
            problems.append(f"{where}: the translation of {entry.msgid!r} is not in Unicode NFC "
                            "form; save the file as NFC (precomposed Vietnamese letters).")

    if locale == SOURCE_LANGUAGE:
        expected = [entry.msgid] if entry.msgid_plural is None else [entry.msgid,
                                                                     entry.msgid_plural]
        if entry.msgstr != expected:
            problems.append(f"{where}: in the {SOURCE_LANGUAGE} catalogue, the translation of "
                            f"{entry.msgid!r} must repeat the msgid; change the source instead.")
    return problems


def catalogue_problems(locale: str, entries: list[Entry],
                       messages: dict[str, SourceMessage]) -> list[str]:
    """What is wrong with one language's catalogue, measured against the source's msgids."""
    where = po_path(locale).relative_to(ROOT)
    fields = header(entries)
    problems = []
    if fields.get("Language") != locale:
        problems.append(f"{where}: the header says Language: {fields.get('Language')!r}; the "
                        f"catalogue's folder says {locale!r}.")
    if "charset=UTF-8" not in fields.get("Content-Type", ""):
        problems.append(f"{where}: the header must say Content-Type: text/plain; charset=UTF-8.")

    active = {entry.key: entry for entry in entries if entry.msgid and not entry.obsolete}
    for msgid, message in sorted(messages.items()):
        entry = active.get((None, msgid))
        if entry is None:
            problems.append(f"{where}: {msgid!r} (from {message.place}) is missing; run "
                            "`make extract` and translate it.")
        else:
            problems += _entry_problems(locale, entry)
    problems += [f"{where}:{entry.line}: {entry.msgid!r} is no longer in the source; run "
                 "`make extract` to drop it."
                 for key, entry in sorted(active.items(), key=lambda item: item[1].line)
                 if key[0] is not None or key[1] not in messages]
    return problems


def compile_catalogue(locale: str, output: Path) -> Path:
    """Compile the catalogue of `locale` to `output` exactly as `make translations` does."""
    run_tool("msgfmt", "--check", "-o", str(output), str(po_path(locale)))
    return output


def compiled_problems(locale: str) -> list[str]:
    """Problems with the shipped `.mo` of `locale`: missing, or not a compile of its `.po`."""
    shipped = mo_path(locale)
    with tempfile.TemporaryDirectory() as scratch:
        fresh = compile_catalogue(locale, Path(scratch) / f"{DOMAIN}.mo").read_bytes()
    if not shipped.exists():
        return [f"{shipped.relative_to(ROOT)} is missing; run `make translations`."]
    if shipped.read_bytes() != fresh:
        return [f"{shipped.relative_to(ROOT)} is not what msgfmt makes of "
                f"{po_path(locale).relative_to(ROOT)}; run `make translations` and commit "
                "the result."]
    return []


def all_problems() -> list[str]:
    """Every problem of every catalogue: content, msgfmt's own checks and the shipped `.mo`."""
    messages = source_messages()
    problems = []
    for locale in locales():
        problems += catalogue_problems(locale, read_po(po_path(locale)), messages)
        try:
            problems += compiled_problems(locale)
        except ToolError as error:
            problems.append(str(error))
    orphans = sorted(path.parent.parent.name
                     for path in COMPILED_CATALOGUES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
                     if path.parent.parent.name not in locales())
    problems += [f"{mo_path(locale).relative_to(ROOT)} has no catalogue "
                 f"{po_path(locale).relative_to(ROOT)}; delete it or add the catalogue."
                 for locale in orphans]
    return problems
