"""Format checks for what a learner types into a practice copy of a public service.

Each `check_*` function takes the raw text of one field and returns a list of `Message`s: an
empty list means the value is well formed. Messages are kept as msgids with parameters, not as
finished sentences, so that the block can translate them when it shows them.

Everything here is pure Python: the same rules serve the block, the OLX validator and the tests.
"""

import itertools
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "MAX_INPUT_LENGTH",
    "PROVINCE_CODES",
    "Message",
    "century_sex_digit",
    "check_email",
    "check_id_number",
    "check_otp",
    "check_passcode",
    "check_password",
    "check_phone",
    "digits_only",
    "fold_text",
    "gettext_noop",
    "id_number_matches",
    "looks_like_real_id_number",
    "looks_like_real_phone",
    "normalize_phone",
]

MAX_INPUT_LENGTH = 200
"""Longest input any check looks at; longer text gets one "too long" message and no more work."""

ID_NUMBER_LENGTH = 12
PASSCODE_LENGTH = 6
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 20
MOBILE_PREFIX_DIGITS = "35789"
SEXES = ("male", "female")
EARLIEST_BIRTH_YEAR = 1900
LATEST_BIRTH_YEAR = 2199

_ASCII_DIGITS = frozenset("0123456789")

# Hyphen-minus plus the dashes a phone keyboard or a copied document may produce instead.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2212")

# Circular 07/2016/TT-BCA, annex: birth-registration place codes (GSO province codes with a 0).
PROVINCE_CODES: Mapping[str, str] = MappingProxyType({
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hoà Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hoá",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hoà",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
})
"""Digits 1–3 of the personal ID number: where the birth was registered, by province name.

The 2025 merger of provinces does not change numbers already issued, so all 63 codes stay valid.
"""


def gettext_noop(text: str) -> str:
    """Mark `text` as a msgid for extraction (`xgettext --keyword=gettext_noop`) and return it.

    Translation happens later, in `Message.render`, when the learner's language is known.
    """
    return text


def _untranslated(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """One piece of learner-facing feedback: an English msgid and the values for its placeholders.

    Frozen and built from tuples so that messages can be compared, hashed and kept in sets. A
    message whose placeholders and parameters disagree is refused when it is made, so that
    `render` cannot fail on it later.
    """

    text: str
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        """Refuse a message whose placeholders differ from the parameters it was given."""
        placeholders = {
            field for _, field, _, _ in string.Formatter().parse(self.text) if field is not None
        }
        given = {name for name, _ in self.params}
        if placeholders != given:
            raise ValueError(
                f"Message {self.text!r} has placeholders {sorted(placeholders)} "
                f"but was given parameters {sorted(given)}; they must be the same"
            )

    @classmethod
    def of(cls, text: str, **params: object) -> "Message":
        """Build a message from a msgid and keyword parameters, turned into sorted strings."""
        return cls(text, tuple(sorted((name, str(value)) for name, value in params.items())))

    def render(self, gettext: Callable[[str], str] = _untranslated) -> str:
        """Translate the msgid with `gettext` and fill in the parameters.

        A translation with a broken placeholder falls back to the English text, so that a
        mistake in a catalogue shows the learner English feedback rather than an error page.
        """
        values = dict(self.params)
        try:
            return gettext(self.text).format(**values)
        except (AttributeError, IndexError, KeyError, ValueError):
            return self.text.format(**values)


def _too_long(raw: str) -> list[Message] | None:
    """Return the "too long" message when `raw` exceeds MAX_INPUT_LENGTH, else None."""
    if len(raw) <= MAX_INPUT_LENGTH:
        return None
    return [Message.of(
        gettext_noop("This is too long ({count} characters). Please type at most {limit}."),
        count=len(raw),
        limit=MAX_INPUT_LENGTH,
    )]


def _require_text(raw: object, argument: str) -> None:
    if not isinstance(raw, str):
        raise TypeError(f"{argument} must be a str, got {type(raw).__name__}")


def _is_hidden(character: str) -> bool:
    """Tell whether a character would be invisible or misleading if quoted back to the learner."""
    return not character.isprintable() or unicodedata.category(character).startswith("M")


def _unexpected_characters(text: str, allowed: frozenset[str], limit: int = 3) -> list[str]:
    """Return up to `limit` distinct characters of `text` not in `allowed`, first seen first."""
    found: list[str] = []
    for character in text:
        if character not in allowed and character not in found:
            found.append(character)
            if len(found) == limit:
                break
    return found


def _quoted(characters: list[str]) -> str:
    return ", ".join(f"“{character}”" for character in characters)


def century_sex_digit(sex: str, birth_year: int) -> str:
    """Return digit 4 of the personal ID number for a person of this sex born in this year.

    The digit encodes century and sex together: 1900s male 0 / female 1, 2000s 2 / 3,
    2100s 4 / 5 (Decree 137/2015/NĐ-CP, Art. 13).
    """
    if sex not in SEXES:
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    if isinstance(birth_year, bool) or not isinstance(birth_year, int):
        raise TypeError(f"birth_year must be an int, got {birth_year!r}")
    if not EARLIEST_BIRTH_YEAR <= birth_year <= LATEST_BIRTH_YEAR:
        raise ValueError(
            f"birth_year must be between {EARLIEST_BIRTH_YEAR} and {LATEST_BIRTH_YEAR}, "
            f"got {birth_year}"
        )
    century_index = (birth_year - EARLIEST_BIRTH_YEAR) // 100
    return str(2 * century_index + SEXES.index(sex))


def digits_only(raw: str) -> str:
    """Drop the separators people type between digit groups; keep everything else.

    NFKC first, so that full-width digits (U+FF10 to U+FF19) count as digits. Whitespace of any
    kind (a pasted value may bring tabs or no-break spaces), dots and hyphens (including the
    Unicode dashes) are removed; letters and other symbols stay, so that a value containing them
    is still rejected by the check that follows.
    """
    _require_text(raw, "raw")
    normalized = unicodedata.normalize("NFKC", raw)
    return "".join(
        character
        for character in normalized
        if not character.isspace() and character != "." and character not in _HYPHENS
    )


def check_id_number(
    raw: str, *, sex: str | None = None, birth_year: int | None = None
) -> list[Message]:
    """Check a 12-digit personal identification number (số định danh cá nhân).

    Checks run in this order and stop at the first family that fails: only digits; exactly 12
    of them; a known province code in digits 1–3; and, when the persona's `sex` and
    `birth_year` are given (both or neither), digit 4 and digits 5–6 — both reported together,
    since they describe the same person.
    """
    _require_text(raw, "raw")
    if (sex is None) != (birth_year is None):
        raise ValueError(
            f"give both sex and birth_year or neither, got sex={sex!r}, "
            f"birth_year={birth_year!r}: digit 4 depends on both"
        )
    expected_century_digit = None if sex is None else century_sex_digit(sex, birth_year)

    too_long = _too_long(raw)
    if too_long:
        return too_long
    number = digits_only(raw)

    format_problem = _id_number_format_problem(number)
    if format_problem:
        return [format_problem]

    if expected_century_digit is None:
        return []
    return _id_number_persona_problems(number, sex, birth_year, expected_century_digit)


def _id_number_format_problem(number: str) -> Message | None:
    if not number:
        return Message.of(gettext_noop("Please type the ID number. It has 12 digits."))

    unexpected = _unexpected_characters(number, _ASCII_DIGITS)
    if any(_is_hidden(character) for character in unexpected):
        return Message.of(gettext_noop(
            "The ID number has a hidden character that is not a digit. "
            "Please clear the box and type the number again."
        ))
    if unexpected:
        return Message.of(
            gettext_noop(
                "The ID number can only have digits 0 to 9. Please remove: {characters}."
            ),
            characters=_quoted(unexpected),
        )

    count = len(number)
    if count == 1:
        return Message.of(gettext_noop("The ID number has only 1 digit; it needs exactly 12."))
    if count < ID_NUMBER_LENGTH:
        return Message.of(
            gettext_noop(
                "The ID number has {count} digits; it needs exactly 12. A digit may be missing."
            ),
            count=count,
        )
    if count > ID_NUMBER_LENGTH:
        return Message.of(
            gettext_noop(
                "The ID number has {count} digits; it needs exactly 12. "
                "There may be an extra digit."
            ),
            count=count,
        )

    if number[:3] not in PROVINCE_CODES:
        return Message.of(
            gettext_noop(
                "The first 3 digits, {code}, are not a province code. They show where the birth "
                "was registered, for example 001 for Hà Nội."
            ),
            code=number[:3],
        )
    return None


def _id_number_persona_problems(
    number: str, sex: str, birth_year: int, expected_century_digit: str
) -> list[Message]:
    problems = []

    typed_century_digit = number[3]
    if typed_century_digit != expected_century_digit:
        problems.append(_century_digit_problem(
            sex, birth_year, expected_century_digit, typed_century_digit
        ))

    expected_year_digits = f"{birth_year % 100:02d}"
    typed_year_digits = number[4:6]
    if typed_year_digits != expected_year_digits:
        problems.append(Message.of(
            gettext_noop(
                "The 5th and 6th digits are the last two digits of the year of birth. For someone "
                "born in {year} they are {expected}, but {typed} was typed."
            ),
            year=birth_year,
            expected=expected_year_digits,
            typed=typed_year_digits,
        ))
    return problems


def _century_digit_problem(
    sex: str, birth_year: int, expected_digit: str, typed_digit: str
) -> Message:
    if sex == "male":
        return Message.of(
            gettext_noop(
                "The 4th digit shows the century of birth and whether the person is a man or a "
                "woman. For a man born in {year} it is {expected}, but {typed} was typed."
            ),
            year=birth_year,
            expected=expected_digit,
            typed=typed_digit,
        )
    return Message.of(
        gettext_noop(
            "The 4th digit shows the century of birth and whether the person is a man or a "
            "woman. For a woman born in {year} it is {expected}, but {typed} was typed."
        ),
        year=birth_year,
        expected=expected_digit,
        typed=typed_digit,
    )


def id_number_matches(raw: str, expected: str) -> list[Message]:
    """Compare a typed ID number with the persona's and say which part differs.

    Format problems in `raw` come first (as from `check_id_number`). Then one message for each
    differing part — province code, century-and-sex digit, year digits, last six digits — none
    of which shows the expected value: the learner is meant to read it from the practice data.
    """
    _require_text(expected, "expected")
    wanted = digits_only(expected)
    if len(wanted) != ID_NUMBER_LENGTH or not set(wanted) <= _ASCII_DIGITS:
        # The expected value comes from the scenario; it is left out of the error on purpose.
        raise ValueError(
            f"expected must be a 12-digit ID number; the value given ({len(expected)} "
            "characters) is not one. Check the persona's id-number."
        )

    problems = check_id_number(raw)
    if problems:
        return problems
    typed = digits_only(raw)

    differing_parts = []
    if typed[:3] != wanted[:3]:
        differing_parts.append(Message.of(gettext_noop(
            "The first 3 digits (the province code) are not the same as in the practice data."
        )))
    if typed[3] != wanted[3]:
        differing_parts.append(Message.of(gettext_noop(
            "The 4th digit (century of birth and sex) is not the same as in the practice data."
        )))
    if typed[4:6] != wanted[4:6]:
        differing_parts.append(Message.of(gettext_noop(
            "The 5th and 6th digits (year of birth) are not the same as in the practice data."
        )))
    if typed[6:] != wanted[6:]:
        differing_parts.append(Message.of(gettext_noop(
            "The last 6 digits are not the same as in the practice data. "
            "Please compare them one by one."
        )))
    return differing_parts


def _parse_phone(raw: str) -> tuple[str | None, Message | None]:
    """Return (canonical 10-digit number, None) or (None, the first problem found)."""
    _require_text(raw, "raw")
    too_long = _too_long(raw)
    if too_long:
        return None, too_long[0]

    text = digits_only(raw).replace("(", "").replace(")", "")
    if not text:
        return None, Message.of(gettext_noop(
            "Please type the phone number. A mobile number has 10 digits and starts with 0."
        ))

    has_plus = text.startswith("+")
    body = text[1:] if has_plus else text
    unexpected = _unexpected_characters(body, _ASCII_DIGITS)
    if any(_is_hidden(character) for character in unexpected):
        return None, Message.of(gettext_noop(
            "The phone number has a hidden character that is not a digit. "
            "Please clear the box and type the number again."
        ))
    if unexpected:
        return None, Message.of(
            gettext_noop(
                "A phone number can only have digits, and + at the start. "
                "Please remove: {characters}."
            ),
            characters=_quoted(unexpected),
        )

    # Without the plus, a leading 84 is read as the country code only when the number is too
    # long to be a national one; a 10-digit number starting 84 is a mistyped national number.
    written_with_84 = body.startswith("84") and (has_plus or len(body) >= 11)
    if written_with_84:
        national, problem = _national_part_after_84(body[2:])
    elif has_plus:
        national, problem = None, Message.of(gettext_noop(
            "A Vietnamese mobile number written with a + sign starts with +84."
        ))
    elif body.startswith("0"):
        national, problem = _national_part_after_0(body[1:])
    else:
        national, problem = None, Message.of(
            gettext_noop(
                "A Vietnamese mobile number starts with 0, or with +84. "
                "This one starts with {start}."
            ),
            start=body[0],
        )
    if problem:
        return None, problem

    canonical = "0" + national
    if canonical[1] not in MOBILE_PREFIX_DIGITS:
        return None, Message.of(
            gettext_noop(
                "A mobile number starts with 03, 05, 07, 08 or 09. This one starts with {prefix}."
            ),
            prefix=canonical[:2],
        )
    return canonical, None


def _national_part_after_84(rest: str) -> tuple[str | None, Message | None]:
    if not rest:
        return None, Message.of(gettext_noop("Please type the rest of the number after +84."))
    if rest.startswith("0"):
        return None, Message.of(gettext_noop(
            "After +84, leave out the 0 that the number starts with."
        ))
    count = len(rest)
    if count == 1:
        return None, Message.of(gettext_noop("After +84 there is only 1 digit; it needs 9."))
    if count != 9:
        return None, Message.of(
            gettext_noop("After +84 the number has {count} digits; it needs 9."), count=count
        )
    return rest, None


def _national_part_after_0(rest: str) -> tuple[str | None, Message | None]:
    count = len(rest) + 1
    if count == 1:
        return None, Message.of(gettext_noop("The phone number has only 1 digit; it needs 10."))
    if count < 10:
        return None, Message.of(
            gettext_noop(
                "The phone number has {count} digits; it needs 10. A digit may be missing."
            ),
            count=count,
        )
    if count > 10:
        return None, Message.of(
            gettext_noop(
                "The phone number has {count} digits; it needs 10. There may be an extra digit."
            ),
            count=count,
        )
    return rest, None


def normalize_phone(raw: str) -> str | None:
    """Return a Vietnamese mobile number in its 10-digit form (0912345678), else None.

    Accepts spaces, dots, hyphens and brackets between groups, and the +84 or 84 country code
    in place of the leading 0.
    """
    canonical, _ = _parse_phone(raw)
    return canonical


def check_phone(raw: str) -> list[Message]:
    """Check a Vietnamese mobile number; one message for the first problem found.

    Agrees with `normalize_phone`: the list is empty exactly when that returns a number.
    """
    _, problem = _parse_phone(raw)
    return [problem] if problem else []


def check_otp(raw: str, length: int = 6) -> list[Message]:
    """Check a one-time code of `length` digits; spaces are ignored, as SMS often groups them.

    The message never repeats the code, since learners are taught never to share one.
    """
    _require_text(raw, "raw")
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    too_long = _too_long(raw)
    if too_long:
        return too_long

    code = "".join(unicodedata.normalize("NFKC", raw).split())
    if not code:
        return [Message.of(
            gettext_noop("Please type the code from the text message. It has {length} digits."),
            length=length,
        )]
    if not set(code) <= _ASCII_DIGITS:
        return [Message.of(gettext_noop("The code can only have digits 0 to 9."))]

    count = len(code)
    if count == length:
        return []
    if count == 1:
        return [Message.of(
            gettext_noop("The code has only 1 digit; it needs {length}."), length=length
        )]
    return [Message.of(
        gettext_noop("The code has {count} digits; it needs {length}."),
        count=count,
        length=length,
    )]


def guessable_passcode(raw: str) -> bool:
    """Whether a well-formed 6-digit passcode is one a thief tries first: one digit repeated
    (111111) or a run up or down (123456, 654321)."""
    digits = [int(character) for character in raw if character in _ASCII_DIGITS]
    if len(digits) != PASSCODE_LENGTH:
        return False
    steps = {later - earlier for earlier, later in itertools.pairwise(digits)}
    return steps in ({0}, {1}, {-1})


def check_passcode(raw: str) -> list[Message]:
    """Check a 6-digit VNeID passcode (mã PIN), which must be typed as 6 digits, no spaces.

    Unlike an OTP, the passcode is something the learner makes up and types on a keypad, so a
    space is a mistake rather than a grouping. The message never repeats the passcode.
    """
    _require_text(raw, "raw")
    too_long = _too_long(raw)
    if too_long:
        return too_long

    passcode = unicodedata.normalize("NFKC", raw)
    if not passcode:
        return [Message.of(gettext_noop("Please type a passcode of 6 digits."))]
    if any(character.isspace() for character in passcode):
        return [Message.of(gettext_noop("Please type the passcode as 6 digits, without spaces."))]
    if not set(passcode) <= _ASCII_DIGITS:
        return [Message.of(gettext_noop("The passcode can only have digits 0 to 9."))]

    count = len(passcode)
    if count == PASSCODE_LENGTH:
        return []
    if count == 1:
        return [Message.of(gettext_noop("The passcode has only 1 digit; it needs exactly 6."))]
    return [Message.of(
        gettext_noop("The passcode has {count} digits; it needs exactly 6."), count=count
    )]


def _is_password_special(character: str) -> bool:
    """Tell whether a character counts as special: printable, not alphanumeric, not a space.

    Letters are recognised in every script, so "Ă" or "ư" is a letter, never a special; a
    stray combining accent is not a special either.
    """
    return (
        character.isprintable()
        and not character.isalnum()
        and not character.isspace()
        and not unicodedata.category(character).startswith("M")
    )


def check_password(raw: str) -> list[Message]:
    """Check the VNeID password rule: 8–20 characters with a digit, both cases and a special.

    The rule in full: at least one digit, one upper-case letter, one lower-case letter and one
    special character (see `_is_password_special`). One message per unmet rule, in that order,
    so the learner sees everything left to fix; an empty box gets one message instead of five.
    Length is counted after NFC, so a Vietnamese letter typed as letter plus accent is one
    character. No message repeats the password.
    """
    _require_text(raw, "raw")
    too_long = _too_long(raw)
    if too_long:
        return too_long
    if not raw:
        return [Message.of(gettext_noop(
            "Please type a password: 8 to 20 characters, with a digit, a capital letter, "
            "a small letter and a special character."
        ))]

    password = unicodedata.normalize("NFC", raw)
    unmet = []
    count = len(password)
    if count == 1:
        unmet.append(Message.of(
            gettext_noop("The password has only 1 character; it needs 8 to 20.")
        ))
    elif not PASSWORD_MIN_LENGTH <= count <= PASSWORD_MAX_LENGTH:
        unmet.append(Message.of(
            gettext_noop("The password has {count} characters; it needs 8 to 20."), count=count
        ))
    if not any(character.isdecimal() for character in password):
        unmet.append(Message.of(gettext_noop("The password needs at least one digit (0 to 9).")))
    if not any(character.isupper() for character in password):
        unmet.append(Message.of(gettext_noop(
            "The password needs at least one capital letter, such as A or Ă."
        )))
    if not any(character.islower() for character in password):
        unmet.append(Message.of(gettext_noop(
            "The password needs at least one small letter, such as a or ă."
        )))
    if not any(_is_password_special(character) for character in password):
        unmet.append(Message.of(gettext_noop(
            "The password needs at least one special character, such as ! @ # or *."
        )))
    return unmet


def check_email(raw: str) -> list[Message]:
    """Check an e-mail address pragmatically; one message for the first problem found.

    Rules: no spaces or hidden characters, exactly one "@", something before it, and after it a
    domain of dot-separated non-empty parts. Spaces at either end are forgiven, because phone
    keyboards add one after a suggested word. RFC 5321's 254-character limit is covered by
    MAX_INPUT_LENGTH, which is lower. Anything stricter would reject addresses that work.
    """
    _require_text(raw, "raw")
    too_long = _too_long(raw)
    if too_long:
        return too_long

    address = unicodedata.normalize("NFKC", raw).strip()
    if not address:
        return [Message.of(gettext_noop(
            "Please type the e-mail address, for example name@example.com."
        ))]
    if any(character.isspace() for character in address):
        return [Message.of(gettext_noop("An e-mail address has no spaces. Please remove them."))]
    if any(_is_hidden(character) for character in address):
        return [Message.of(gettext_noop(
            "The e-mail address has a hidden character. Please clear the box and type it again."
        ))]

    at_signs = address.count("@")
    if at_signs == 0:
        return [Message.of(gettext_noop(
            "An e-mail address needs the @ sign, as in name@example.com."
        ))]
    if at_signs > 1:
        return [Message.of(
            gettext_noop("An e-mail address has only one @ sign; this one has {count}."),
            count=at_signs,
        )]

    local_part, domain = address.split("@")
    if not local_part:
        return [Message.of(gettext_noop(
            "Something is missing before the @ sign, as in name@example.com."
        ))]
    if not domain:
        return [Message.of(gettext_noop(
            "Something is missing after the @ sign, as in name@example.com."
        ))]
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return [Message.of(
            gettext_noop(
                "After the @ sign comes a name with a dot, such as example.com; "
                "“{domain}” is not complete."
            ),
            domain=domain,
        )]
    return []


def fold_text(raw: str) -> str:
    """Reduce free text to a form for comparison, ignoring case, spacing and diacritics.

    Learners often type Vietnamese without accents, or with the tone mark on another vowel
    ("Hoà" and "Hòa"); both should match. Case is folded before the accents are removed
    because folding can itself produce combining marks ("İ" becomes "i" + dot), and the result
    must be stable when folded again. "đ" (and "Đ", folded to "đ" first) has no decomposition,
    so it is mapped to "d" by hand.
    """
    _require_text(raw, "raw")
    folded = unicodedata.normalize("NFC", raw).casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    without_marks = "".join(
        character for character in decomposed if not unicodedata.combining(character)
    )
    without_marks = without_marks.replace("đ", "d")
    return " ".join(without_marks.split())


def looks_like_real_id_number(raw: str) -> bool:
    """Tell whether `raw` could be a real person's ID number, so the block can warn the learner.

    True when it is 12 digits with a known province code and digit 4 of someone born 1900–2099
    (0–3): a number that could belong to a living person. Nothing about it is stored.
    """
    return not check_id_number(raw) and digits_only(raw)[3] in "0123"


def looks_like_real_phone(raw: str) -> bool:
    """Tell whether `raw` is a well-formed Vietnamese mobile number that someone could own."""
    return normalize_phone(raw) is not None
