"""The wards and communes the city-wide build makes packages for, and their support points.

Two CSV files come in: the list of units (`code,name_vi,type`) and, optionally, the support
point (điểm hỗ trợ) of each unit (`code,address,phone,opening_hours,contact_role`). Both are
read strictly, because a wrong row becomes a course that 126 administrators import: every
problem is an `InputError` whose message names the file, the line and what would be right.

A UTF-8 byte-order mark and Windows line endings are accepted and dropped, since spreadsheet
programs write both; any other encoding is refused, naming the first line that is not UTF-8.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

UNIT_COLUMNS = ("code", "name_vi", "type")
SUPPORT_COLUMNS = ("code", "address", "phone", "opening_hours", "contact_role")
SUPPORT_DETAILS = SUPPORT_COLUMNS[1:]

# type -> the prefix the official name starts with, and the word used inside a sentence
# ("Ủy ban nhân dân phường Ba Đình").
UNIT_TYPES = {"ward": ("Phường", "phường"), "commune": ("Xã", "xã")}

# Course-key parts (org, number, run) must survive URLs, file names and shell scripts.
KEY_PART = re.compile(r"[A-Za-z0-9_.-]+")
UNIT_CODE = re.compile(r"[0-9]+")
UTF8_BOM = b"\xef\xbb\xbf"
# Unicode general categories of characters no course text may hold (see `unfit_character`).
UNFIT_CATEGORIES = {
    "Cc": "control character",
    "Cf": "invisible format character",
    "Cs": "surrogate",
    "Co": "private-use character",
    "Cn": "code point that is not a character",
}


class InputError(Exception):
    """Input the build cannot use; the message names the file, line and what is expected."""


@dataclass(frozen=True)
class SupportPoint:
    """Where residents of a unit get help in person; any field may be unknown (empty)."""

    address: str = ""
    phone: str = ""
    opening_hours: str = ""
    contact_role: str = ""

    def is_empty(self) -> bool:
        """True when the file gives no detail at all for the unit."""
        return not any((self.address, self.phone, self.opening_hours, self.contact_role))


@dataclass(frozen=True)
class Unit:
    """A ward (phường) or commune (xã) of Hà Nội, as the units file lists it."""

    code: str
    name_vi: str
    type: str
    line: int

    @property
    def in_sentence(self) -> str:
        """The name as written inside a sentence: "phường Ba Đình" for "Phường Ba Đình"."""
        prefix, word = UNIT_TYPES[self.type]
        return f"{word} {self.name_vi.removeprefix(prefix + ' ')}"

    @property
    def committee(self) -> str:
        """The unit's People's Committee (Ủy ban nhân dân), as written inside a sentence."""
        return f"Ủy ban nhân dân {self.in_sentence}"


def ascii_slug(name: str) -> str:
    """`name` as lower-case ASCII words joined by hyphens: "Phường Ba Đình" -> "phuong-ba-dinh".

    Diacritics are dropped after canonical decomposition; đ/Đ has no decomposition in Unicode,
    so it is mapped to d by hand. Both tone placements ("Hoà", "Hòa") give the same slug.
    """
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")


def read_csv_rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, fields) rows of a UTF-8 CSV file.

    Blank lines are skipped. Line numbers count physical lines, so they match an editor's.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} {path} does not exist") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror}") from None

    text = _decode_utf8(data.removeprefix(UTF8_BOM), path, what)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for fields in reader:
            if any(field.strip() for field in fields):
                rows.append((reader.line_num, fields))
    except csv.Error as error:
        raise InputError(f"{what} {path} line {reader.line_num}: not valid CSV ({error})") from None
    if not rows:
        raise InputError(f"{what} {path} is empty; it needs a header line and one row per unit")

    header = [name.strip() for name in rows[0][1]]
    return header, rows[1:]


def _decode_utf8(data: bytes, path: Path, what: str) -> str:
    """`data` as text, or an error naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{what} {path} line {line}: byte 0x{data[error.start]:02x} is not UTF-8; "
            f"save the file as UTF-8 (CSV UTF-8 in a spreadsheet program)"
        ) from None


def _check_header(header: list[str], expected: tuple[str, ...], path: Path, what: str) -> None:
    """Refuse a header that lacks one of `expected` or names an unknown column."""
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append("missing column " + ", ".join(repr(name) for name in missing))
    if unknown:
        problems.append("unknown column " + ", ".join(repr(name) for name in unknown))
    if duplicated:
        problems.append("repeated column " + ", ".join(repr(name) for name in duplicated))
    if problems:
        raise InputError(
            f"{what} {path} line 1: {'; '.join(problems)}; the header must be "
            f"{','.join(expected)}"
        )


def _record(header, line, fields, path, what) -> dict[str, str]:
    """A row as a column -> value mapping, values stripped and in NFC."""
    if len(fields) != len(header):
        raise InputError(
            f"{what} {path} line {line}: {len(fields)} fields where the header has "
            f"{len(header)} ({','.join(header)}); quote values that contain a comma"
        )
    record = {
        name: unicodedata.normalize("NFC", " ".join(value.split()))
        for name, value in zip(header, fields, strict=True)
    }
    for name, value in record.items():
        bad = unfit_character(value)
        if bad:
            raise InputError(
                f"{what} {path} line {line}: {name} {value!r} holds {bad}, which a course "
                f"page cannot show; delete it and retype the value if need be"
            )
    return record


def unfit_character(text: str) -> str:
    """The first character of `text` that course text must not hold, described; else "".

    Those are control characters (NUL, ESC...), which XML cannot hold at all, and the
    invisible or undefined ones: format characters such as a right-to-left override or a
    zero-width space, surrogates, private-use and unassigned code points (U+FFFE among them).
    None belongs in the name of a ward, an address or a course title, and each could hide
    or disguise text.
    """
    for char in text:
        category = unicodedata.category(char)
        if category in UNFIT_CATEGORIES:
            return f"the {UNFIT_CATEGORIES[category]} U+{ord(char):04X}"
    return ""


def read_units(path: Path) -> list[Unit]:
    """The units listed in `path`, in file order, each checked and unique."""
    what = "units file"
    header, rows = read_csv_rows(path, what)
    _check_header(header, UNIT_COLUMNS, path, what)

    units: list[Unit] = []
    first_line: dict[str, int] = {}
    for line, fields in rows:
        record = _record(header, line, fields, path, what)
        unit = Unit(record["code"], record["name_vi"], record["type"], line)
        _check_unit(unit, path)
        if unit.code in first_line:
            raise InputError(
                f"{what} {path} line {line}: code {unit.code} is already used on line "
                f"{first_line[unit.code]}; each unit needs its own code"
            )
        first_line[unit.code] = line
        units.append(unit)
    if not units:
        raise InputError(f"{what} {path} has a header but no units")
    return units


def _check_unit(unit: Unit, path: Path) -> None:
    """Refuse a unit row with an empty or malformed value."""
    where = f"units file {path} line {unit.line}"
    if not unit.code:
        raise InputError(f"{where}: the code is empty; give the unit's five-digit code")
    if not UNIT_CODE.fullmatch(unit.code):
        raise InputError(
            f"{where}: code {unit.code!r} is not digits; codes are written like 00004, "
            f"with their leading zeros"
        )
    if not unit.name_vi:
        raise InputError(f"{where}: unit {unit.code} has an empty name_vi; give its official name")
    if unit.type not in UNIT_TYPES:
        raise InputError(
            f"{where}: unit {unit.code} has type {unit.type!r}; the type is ward or commune"
        )
    if not ascii_slug(unit.name_vi):
        raise InputError(
            f"{where}: unit {unit.code} name {unit.name_vi!r} has no letter or digit to name "
            f"its course run after"
        )


def select_units(units: list[Unit], wanted: list[str] | None, units_path: Path) -> list[Unit]:
    """The units whose codes are in `wanted` (all when None), in units-file order."""
    if wanted is None:
        return units
    known = {unit.code for unit in units}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        example = units[0]
        raise InputError(
            f"--units: unknown unit code {', '.join(unknown)}; codes are the first column of "
            f"{units_path} (e.g. {example.code} for {example.name_vi})"
        )
    chosen = set(wanted)
    return [unit for unit in units if unit.code in chosen]


def parse_unit_codes(value: str) -> list[str]:
    """The codes of a `--units CODE[,CODE...]` option, in order, without repeats."""
    codes = [code.strip() for code in value.split(",")]
    if not all(codes):
        raise InputError(
            f"--units {value!r} has an empty code; write codes separated by commas, "
            f"e.g. --units 00004,00008"
        )
    return list(dict.fromkeys(codes))


def read_support_points(path: Path, units: list[Unit]) -> dict[str, SupportPoint]:
    """The support point of each unit that `path` gives details for, by unit code."""
    what = "support points file"
    header, rows = read_csv_rows(path, what)
    _check_header(header, SUPPORT_COLUMNS, path, what)
    names = {unit.code: unit.name_vi for unit in units}

    points: dict[str, SupportPoint] = {}
    first_line: dict[str, int] = {}
    for line, fields in rows:
        record = _record(header, line, fields, path, what)
        code = record["code"]
        if not code:
            raise InputError(f"{what} {path} line {line}: the code is empty; give the unit's code")
        if code not in names:
            raise InputError(
                f"{what} {path} line {line}: unit code {code} is not in the units file; "
                f"use the codes of the units file's first column"
            )
        if code in first_line:
            raise InputError(
                f"{what} {path} line {line}: unit {code} ({names[code]}) already has a support "
                f"point on line {first_line[code]}; give one row per unit"
            )
        first_line[code] = line
        point = SupportPoint(**{name: record[name] for name in SUPPORT_DETAILS})
        if not point.is_empty():
            points[code] = point
    return points
