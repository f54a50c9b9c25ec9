"""Tests for dps_xblocks.engine.formats: exact outcomes, properties and hostile input."""

import ast
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dps_xblocks.engine import formats
from dps_xblocks.engine.formats import (
    MAX_INPUT_LENGTH,
    PROVINCE_CODES,
    Message,
    century_sex_digit,
    check_email,
    check_id_number,
    check_otp,
    check_passcode,
    check_password,
    check_phone,
    digits_only,
    fold_text,
    gettext_noop,
    id_number_matches,
    looks_like_real_id_number,
    looks_like_real_phone,
    normalize_phone,
)

TOO_LONG_201 = "This is too long (201 characters). Please type at most 200."
CHECKS = [check_id_number, check_phone, check_otp, check_passcode, check_password, check_email]


def rendered(messages: list[Message]) -> list[str]:
    """Render messages in English, as a learner without a translation would read them."""
    return [message.render() for message in messages]


def full_width(ascii_digits: str) -> str:
    """Write digits as a Chinese or Japanese keyboard (or a copied PDF) may produce them."""
    return ascii_digits.translate({ord("0") + offset: 0xFF10 + offset for offset in range(10)})


def test_message_of_sorts_and_stringifies_params_so_equal_messages_compare_equal():
    first = Message.of(gettext_noop("{a} and {b}"), b=2, a="x")
    second = Message.of(gettext_noop("{a} and {b}"), a="x", b="2")

    assert first == second
    assert first.params == (("a", "x"), ("b", "2"))
    assert len({first, second}) == 1


def test_message_render_translates_the_msgid_then_fills_placeholders():
    message = Message.of(gettext_noop("The code has {count} digits."), count=5)
    catalogue = {"The code has {count} digits.": "Mã có {count} chữ số."}

    assert message.render() == "The code has 5 digits."
    assert message.render(catalogue.get) == "Mã có 5 chữ số."


def test_message_render_falls_back_to_english_when_a_translation_breaks_a_placeholder():
    message = Message.of(gettext_noop("The code has {count} digits."), count=5)

    assert message.render(lambda text: "Mã có {so} chữ số.") == "The code has 5 digits."


def test_message_refuses_placeholders_that_do_not_match_its_params():
    with pytest.raises(ValueError, match=r"placeholders \['count'\].*parameters \['cuont'\]"):
        Message.of("{count} digits", cuont=3)
    with pytest.raises(ValueError, match=r"placeholders \['count'\]"):
        Message("{count} digits")


def test_message_params_do_not_reinterpret_braces_typed_by_the_learner():
    assert check_id_number("{0}")[0].render() == (
        "The ID number can only have digits 0 to 9. Please remove: “{”, “}”."
    )


def _formats_syntax_tree() -> ast.Module:
    return ast.parse(Path(formats.__file__).read_text(encoding="utf-8"))


def _is_gettext_noop_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "gettext_noop"
    )


def test_every_gettext_noop_call_wraps_one_plain_string_literal():
    calls = [node for node in ast.walk(_formats_syntax_tree()) if _is_gettext_noop_call(node)]

    assert len(calls) > 40
    for call in calls:
        assert not call.keywords, ast.unparse(call)
        assert len(call.args) == 1, ast.unparse(call)
        literal = call.args[0]
        assert isinstance(literal, ast.Constant) and isinstance(literal.value, str), (
            ast.unparse(call)
        )


def test_every_message_in_formats_is_built_from_a_gettext_noop_literal():
    built = [
        node
        for node in ast.walk(_formats_syntax_tree())
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "of"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "Message"
    ]

    assert len(built) > 40
    for call in built:
        assert _is_gettext_noop_call(call.args[0]), ast.unparse(call)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_xgettext_extracts_every_msgid_of_the_module():
    literals = {
        node.args[0].value
        for node in ast.walk(_formats_syntax_tree())
        if _is_gettext_noop_call(node)
    }

    catalogue = subprocess.run(
        ["xgettext", "--keyword=gettext_noop", "--language=Python", "--from-code=UTF-8",
         "--no-wrap", "--output=-", formats.__file__],
        capture_output=True, text=True, check=True,
    ).stdout
    extracted = {
        msgid.replace('\\"', '"')
        for msgid in re.findall(r'^msgid "(.+)"$', catalogue, flags=re.MULTILINE)
    }

    assert extracted == literals


def test_province_codes_hold_the_63_codes_of_circular_07_2016():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert PROVINCE_CODES["077"] == "Bà Rịa - Vũng Tàu"
    assert "003" not in PROVINCE_CODES
    assert "063" not in PROVINCE_CODES
    assert all(re.fullmatch(r"0[0-9]{2}", code) for code in PROVINCE_CODES)
    assert all(unicodedata.is_normalized("NFC", name) for name in PROVINCE_CODES.values())


def test_province_codes_cannot_be_changed_by_an_importer():
    with pytest.raises(TypeError):
        PROVINCE_CODES["999"] = "Nowhere"  # type: ignore[index]


@pytest.mark.parametrize(("sex", "year", "digit"), [
    ("male", 1900, "0"),
    ("female", 1900, "1"),
    ("male", 1999, "0"),
    ("female", 1985, "1"),
    ("male", 2000, "2"),
    ("female", 2099, "3"),
    ("male", 2100, "4"),
    ("female", 2199, "5"),
])
def test_century_sex_digit_follows_decree_137(sex, year, digit):
    assert century_sex_digit(sex, year) == digit


@pytest.mark.parametrize(("sex", "year", "error", "pattern"), [
    ("Male", 1985, ValueError, r"sex must be 'male' or 'female', got 'Male'"),
    ("", 1985, ValueError, r"got ''"),
    ("other", 1985, ValueError, r"got 'other'"),
    ("male", 1899, ValueError, r"between 1900 and 2199, got 1899"),
    ("female", 2200, ValueError, r"between 1900 and 2199, got 2200"),
    ("male", "1985", TypeError, r"birth_year must be an int, got '1985'"),
    ("male", True, TypeError, r"got True"),
])
def test_century_sex_digit_names_the_bad_value(sex, year, error, pattern):
    with pytest.raises(error, match=pattern):
        century_sex_digit(sex, year)


@pytest.mark.parametrize(("raw", "digits"), [
    ("001185012345", "001185012345"),
    ("001 185 012 345", "001185012345"),
    ("001.185.012.345", "001185012345"),
    ("001-185\u2013012\u2011345", "001185012345"),
    ("\t001185\u00a0012345\n", "001185012345"),
    (full_width("001185012345"), "001185012345"),
    ("0011 85O12345", "001185O12345"),
    ("(+84) 912", "(+84)912"),
    ("", ""),
])
def test_digits_only_drops_separators_and_keeps_everything_else(raw, digits):
    assert digits_only(raw) == digits


@pytest.mark.parametrize(("raw", "messages"), [
    ("001185012345", []),
    ("001 185 012 345", []),
    (full_width("001185012345"), []),
    ("", ["Please type the ID number. It has 12 digits."]),
    ("   ", ["Please type the ID number. It has 12 digits."]),
    ("0", ["The ID number has only 1 digit; it needs exactly 12."]),
    ("00118501234", ["The ID number has 11 digits; it needs exactly 12. A digit may be missing."]),
    ("0011850123456", [
        "The ID number has 13 digits; it needs exactly 12. There may be an extra digit.",
    ]),
    ("0011850l2345", ["The ID number can only have digits 0 to 9. Please remove: “l”."]),
    ("abcdefghijkl", ["The ID number can only have digits 0 to 9. Please remove: “a”, “b”, “c”."]),
    ("00118501234\u200b5", [
        ("The ID number has a hidden character that is not a digit. "
         "Please clear the box and type the number again."),
    ]),
    ("0011850123\u03014", [
        ("The ID number has a hidden character that is not a digit. "
         "Please clear the box and type the number again."),
    ]),
    ("\u0660\u0660\u0661\u0661\u0668\u0665\u0660\u0661\u0662\u0663\u0664\u0665", [
        "The ID number can only have digits 0 to 9. Please remove: “\u0660”, “\u0661”, “\u0668”.",
    ]),
    ("003185012345", [
        ("The first 3 digits, 003, are not a province code. They show where the birth was "
         "registered, for example 001 for Hà Nội."),
    ]),
])
def test_check_id_number_format(raw, messages):
    assert rendered(check_id_number(raw)) == messages


@pytest.mark.parametrize(("raw", "sex", "year", "messages"), [
    ("001185012345", "female", 1985, []),
    ("079203012345", "male", 2003, []),
    ("001085012345", "female", 1985, [
        ("The 4th digit shows the century of birth and whether the person is a man or a woman. "
         "For a woman born in 1985 it is 1, but 0 was typed."),
    ]),
    ("001185012345", "male", 1985, [
        ("The 4th digit shows the century of birth and whether the person is a man or a woman. "
         "For a man born in 1985 it is 0, but 1 was typed."),
    ]),
    ("001158012345", "female", 1985, [
        ("The 5th and 6th digits are the last two digits of the year of birth. For someone born "
         "in 1985 they are 85, but 58 was typed."),
    ]),
    ("001105012345", "female", 2005, [
        ("The 4th digit shows the century of birth and whether the person is a man or a woman. "
         "For a woman born in 2005 it is 3, but 1 was typed."),
    ]),
    ("001385012345", "female", 2005, [
        ("The 5th and 6th digits are the last two digits of the year of birth. For someone born "
         "in 2005 they are 05, but 85 was typed."),
    ]),
    ("001085012345", "female", 2005, [
        ("The 4th digit shows the century of birth and whether the person is a man or a woman. "
         "For a woman born in 2005 it is 3, but 0 was typed."),
        ("The 5th and 6th digits are the last two digits of the year of birth. For someone born "
         "in 2005 they are 05, but 85 was typed."),
    ]),
    ("00118501234", "female", 1985, [
        "The ID number has 11 digits; it needs exactly 12. A digit may be missing.",
    ]),
])
def test_check_id_number_against_persona_sex_and_birth_year(raw, sex, year, messages):
    assert rendered(check_id_number(raw, sex=sex, birth_year=year)) == messages


def test_check_id_number_refuses_sex_without_birth_year():
    with pytest.raises(ValueError, match=r"both sex and birth_year or neither.*sex='male'"):
        check_id_number("001085012345", sex="male")
    with pytest.raises(ValueError, match=r"birth_year=1985"):
        check_id_number("001085012345", birth_year=1985)


def test_check_id_number_refuses_a_bad_persona_before_looking_at_the_input():
    with pytest.raises(ValueError, match=r"got 'f'"):
        check_id_number("", sex="f", birth_year=1985)
    with pytest.raises(ValueError, match=r"got 1850"):
        check_id_number("x" * 10_000, sex="male", birth_year=1850)


@pytest.mark.parametrize(("raw", "messages"), [
    ("001185012345", []),
    ("0011 8501 2345", []),
    ("079185012345", [
        "The first 3 digits (the province code) are not the same as in the practice data.",
    ]),
    ("001085012345", [
        "The 4th digit (century of birth and sex) is not the same as in the practice data.",
    ]),
    ("001186012345", [
        "The 5th and 6th digits (year of birth) are not the same as in the practice data.",
    ]),
    ("001185112345", [
        ("The last 6 digits are not the same as in the practice data. "
         "Please compare them one by one."),
    ]),
    ("001185012354", [
        ("The last 6 digits are not the same as in the practice data. "
         "Please compare them one by one."),
    ]),
    ("079086999999", [
        "The first 3 digits (the province code) are not the same as in the practice data.",
        "The 4th digit (century of birth and sex) is not the same as in the practice data.",
        "The 5th and 6th digits (year of birth) are not the same as in the practice data.",
        ("The last 6 digits are not the same as in the practice data. "
         "Please compare them one by one."),
    ]),
    ("00118501234", ["The ID number has 11 digits; it needs exactly 12. A digit may be missing."]),
    ("999185012345", [
        ("The first 3 digits, 999, are not a province code. They show where the birth was "
         "registered, for example 001 for Hà Nội."),
    ]),
])
def test_id_number_matches_names_the_part_that_differs(raw, messages):
    assert rendered(id_number_matches(raw, "001185012345")) == messages


def test_id_number_matches_refuses_a_malformed_expected_value_without_showing_it():
    with pytest.raises(ValueError, match=r"12-digit ID number; the value given \(5 characters\)"):
        id_number_matches("001185012345", "12345")
    with pytest.raises(ValueError, match=r"the value given \(12 characters\)"):
        id_number_matches("", "00118501234x")


@pytest.mark.parametrize("raw", [
    "0912345678",
    "0912 345 678",
    "0912.345.678",
    "0912-345-678",
    "+84 912 345 678",
    "+84912345678",
    "84912345678",
    "(+84) 912-345-678",
    "(0912) 345 678",
    full_width("0912345678"),
    " 0912 345 678 ",
])
def test_normalize_phone_accepts_the_usual_ways_of_writing_a_mobile_number(raw):
    assert normalize_phone(raw) == "0912345678"
    assert check_phone(raw) == []


@pytest.mark.parametrize(("raw", "canonical"), [
    ("0312345678", "0312345678"),
    ("0512345678", "0512345678"),
    ("0712345678", "0712345678"),
    ("0812345678", "0812345678"),
    ("+84 387 654 321", "0387654321"),
])
def test_normalize_phone_accepts_every_mobile_prefix(raw, canonical):
    assert normalize_phone(raw) == canonical


@pytest.mark.parametrize(("raw", "messages"), [
    ("", ["Please type the phone number. A mobile number has 10 digits and starts with 0."]),
    ("0", ["The phone number has only 1 digit; it needs 10."]),
    ("091234567", ["The phone number has 9 digits; it needs 10. A digit may be missing."]),
    ("09123456789", ["The phone number has 11 digits; it needs 10. There may be an extra digit."]),
    ("912345678", [
        "A Vietnamese mobile number starts with 0, or with +84. This one starts with 9.",
    ]),
    ("8491234567", [
        "A Vietnamese mobile number starts with 0, or with +84. This one starts with 8.",
    ]),
    ("+1 555 123 4567", ["A Vietnamese mobile number written with a + sign starts with +84."]),
    ("+", ["A Vietnamese mobile number written with a + sign starts with +84."]),
    ("+84", ["Please type the rest of the number after +84."]),
    ("+84 0912 345 678", ["After +84, leave out the 0 that the number starts with."]),
    ("840912345678", ["After +84, leave out the 0 that the number starts with."]),
    ("+84 9", ["After +84 there is only 1 digit; it needs 9."]),
    ("+84 912 345 67", ["After +84 the number has 8 digits; it needs 9."]),
    ("0241 234 567", [
        "A mobile number starts with 03, 05, 07, 08 or 09. This one starts with 02.",
    ]),
    ("+84 612 345 678", [
        "A mobile number starts with 03, 05, 07, 08 or 09. This one starts with 06.",
    ]),
    ("0912 345 67a", [
        "A phone number can only have digits, and + at the start. Please remove: “a”.",
    ]),
    ("09+12345678", [
        "A phone number can only have digits, and + at the start. Please remove: “+”.",
    ]),
    ("0912,345,678", [
        "A phone number can only have digits, and + at the start. Please remove: “,”.",
    ]),
    ("0912\u200d345678", [
        ("The phone number has a hidden character that is not a digit. "
         "Please clear the box and type the number again."),
    ]),
])
def test_check_phone_says_what_is_wrong(raw, messages):
    assert rendered(check_phone(raw)) == messages
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(("raw", "messages"), [
    ("123456", []),
    ("123 456", []),
    (full_width("123456"), []),
    ("", ["Please type the code from the text message. It has 6 digits."]),
    ("1", ["The code has only 1 digit; it needs 6."]),
    ("12345", ["The code has 5 digits; it needs 6."]),
    ("1234567", ["The code has 7 digits; it needs 6."]),
    ("12345a", ["The code can only have digits 0 to 9."]),
    ("123-456", ["The code can only have digits 0 to 9."]),
])
def test_check_otp(raw, messages):
    assert rendered(check_otp(raw)) == messages


def test_check_otp_takes_another_length():
    assert check_otp("1234", length=4) == []
    assert rendered(check_otp("123456", length=4)) == ["The code has 6 digits; it needs 4."]


@pytest.mark.parametrize("length", [0, -6, "6", True, 6.0])
def test_check_otp_refuses_a_length_that_is_not_a_positive_int(length):
    with pytest.raises(ValueError, match=re.escape(f"positive int, got {length!r}")):
        check_otp("123456", length=length)


@pytest.mark.parametrize(("raw", "messages"), [
    ("246810", []),
    (full_width("246810"), []),
    ("", ["Please type a passcode of 6 digits."]),
    ("246 810", ["Please type the passcode as 6 digits, without spaces."]),
    (" 246810", ["Please type the passcode as 6 digits, without spaces."]),
    ("24681a", ["The passcode can only have digits 0 to 9."]),
    ("2", ["The passcode has only 1 digit; it needs exactly 6."]),
    ("24681", ["The passcode has 5 digits; it needs exactly 6."]),
    ("2468101", ["The passcode has 7 digits; it needs exactly 6."]),
])
def test_check_passcode(raw, messages):
    assert rendered(check_passcode(raw)) == messages


NEEDS_LENGTH_8 = "The password has {count} characters; it needs 8 to 20."
NEEDS_DIGIT = "The password needs at least one digit (0 to 9)."
NEEDS_UPPER = "The password needs at least one capital letter, such as A or Ă."
NEEDS_LOWER = "The password needs at least one small letter, such as a or ă."
NEEDS_SPECIAL = "The password needs at least one special character, such as ! @ # or *."


@pytest.mark.parametrize(("raw", "messages"), [
    ("Matkhau@2024", []),
    ("Mật-khẩu9Ă", []),
    (unicodedata.normalize("NFD", "Mật-khẩu9Ă"), []),
    ("Aa1!Aa1!", []),
    ("Aa1!Aa1!Aa1!Aa1!Aa1!", []),
    ("Aa1!Aa1", [NEEDS_LENGTH_8.format(count=7)]),
    ("Aa1!Aa1!Aa1!Aa1!Aa1!A", [NEEDS_LENGTH_8.format(count=21)]),
    ("matkhau@2024", [NEEDS_UPPER]),
    ("MATKHAU@2024", [NEEDS_LOWER]),
    ("Matkhau@abcd", [NEEDS_DIGIT]),
    ("Matkhau 2024", [NEEDS_SPECIAL]),
    ("MẬTKHẨUĂƯ1a", [NEEDS_SPECIAL]),
    ("ăâđêôơư1!", [NEEDS_UPPER]),
    ("a", ["The password has only 1 character; it needs 8 to 20.",
           NEEDS_DIGIT, NEEDS_UPPER, NEEDS_SPECIAL]),
    ("        ", [NEEDS_DIGIT, NEEDS_UPPER, NEEDS_LOWER, NEEDS_SPECIAL]),
    ("", [
        ("Please type a password: 8 to 20 characters, with a digit, a capital letter, "
         "a small letter and a special character."),
    ]),
])
def test_check_password_lists_every_unmet_rule_in_order(raw, messages):
    assert rendered(check_password(raw)) == messages


@pytest.mark.parametrize(("raw", "messages"), [
    ("mai.tran@example.com", []),
    ("tran.thi.mai+vneid@mail.example.vn", []),
    (" mai@example.com ", []),
    ("mai\uff20example.com", []),
    ("", ["Please type the e-mail address, for example name@example.com."]),
    ("mai tran@example.com", ["An e-mail address has no spaces. Please remove them."]),
    ("mai\u200b@example.com", [
        "The e-mail address has a hidden character. Please clear the box and type it again.",
    ]),
    ("mai.example.com", ["An e-mail address needs the @ sign, as in name@example.com."]),
    ("mai@@example.com", ["An e-mail address has only one @ sign; this one has 2."]),
    ("@example.com", ["Something is missing before the @ sign, as in name@example.com."]),
    ("mai@", ["Something is missing after the @ sign, as in name@example.com."]),
    ("mai@example", [
        ("After the @ sign comes a name with a dot, such as example.com; “example” is not "
         "complete."),
    ]),
    ("mai@example.", [
        ("After the @ sign comes a name with a dot, such as example.com; “example.” is not "
         "complete."),
    ]),
    ("mai@.com", [
        "After the @ sign comes a name with a dot, such as example.com; “.com” is not complete.",
    ]),
])
def test_check_email(raw, messages):
    assert rendered(check_email(raw)) == messages


@pytest.mark.parametrize(("raw", "folded"), [
    ("Hoà", "hoa"),
    ("Hòa", "hoa"),
    (unicodedata.normalize("NFD", "Hoà"), "hoa"),
    ("  Đống   Đa\t", "dong da"),
    ("PHƯỜNG BA ĐÌNH", "phuong ba dinh"),
    ("Nguyễn Thị Mai", "nguyen thi mai"),
    ("Straße", "strasse"),
    ("", ""),
    (" \n ", ""),
])
def test_fold_text(raw, folded):
    assert fold_text(raw) == folded


@pytest.mark.parametrize(("raw", "looks_real"), [
    ("001185012345", True),
    ("079 203 012 345", True),
    ("001085012345", True),
    ("001485012345", False),
    ("001585012345", False),
    ("003185012345", False),
    ("00118501234", False),
    ("", False),
    ("x" * 10_000, False),
])
def test_looks_like_real_id_number(raw, looks_real):
    assert looks_like_real_id_number(raw) is looks_real


@pytest.mark.parametrize(("raw", "looks_real"), [
    ("0987 654 321", True),
    ("+84 387 654 321", True),
    ("0241 234 567", False),
    ("123", False),
    ("", False),
])
def test_looks_like_real_phone(raw, looks_real):
    assert looks_like_real_phone(raw) is looks_real


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("raw", ["1" * 201, "a" * 201, "Aa1!" * 2_500, " " * 10_000])
def test_every_check_gives_one_too_long_message_for_input_over_the_limit(check, raw):
    messages = check(raw)

    assert len(messages) == 1
    assert messages[0].text == (
        "This is too long ({count} characters). Please type at most {limit}."
    )
    assert messages[0].params == (("count", str(len(raw))), ("limit", "200"))


def test_too_long_message_states_the_count_and_the_limit():
    assert rendered(check_email("a" * 201)) == [TOO_LONG_201]


@pytest.mark.parametrize("check", CHECKS)
def test_input_at_the_limit_is_still_checked(check):
    messages = rendered(check("1" * MAX_INPUT_LENGTH))

    assert messages
    assert all("too long" not in text for text in messages)


def test_over_long_input_is_never_a_phone_or_id_number():
    assert normalize_phone("0912345678" + " " * 10_000) is None
    assert not looks_like_real_phone("0912345678" + " " * 10_000)
    assert not looks_like_real_id_number("001185012345" + " " * 10_000)


@pytest.mark.parametrize("function", [
    check_id_number, check_phone, check_otp, check_passcode, check_password, check_email,
    normalize_phone, digits_only, fold_text, looks_like_real_id_number, looks_like_real_phone,
])
def test_non_text_input_is_refused_with_its_type_named(function):
    with pytest.raises(TypeError, match="raw must be a str, got int"):
        function(912345678)


provinces = st.sampled_from(sorted(PROVINCE_CODES))
sexes = st.sampled_from(["male", "female"])
birth_years = st.integers(min_value=1900, max_value=2099)
six_digits = st.text(alphabet="0123456789", min_size=6, max_size=6)


@st.composite
def personas_with_id_numbers(draw):
    """Draw (ID number, sex, birth year) for a made-up person born 1900–2099."""
    sex = draw(sexes)
    year = draw(birth_years)
    number = (
        draw(provinces) + century_sex_digit(sex, year) + f"{year % 100:02d}" + draw(six_digits)
    )
    return number, sex, year


@given(personas_with_id_numbers())
@settings(max_examples=200)
def test_a_generated_id_number_agrees_with_its_own_persona_only(persona):
    number, sex, year = persona
    other_sex = "female" if sex == "male" else "male"

    assert check_id_number(number, sex=sex, birth_year=year) == []
    assert check_id_number(number) == []
    assert looks_like_real_id_number(number)
    wrong_sex = check_id_number(number, sex=other_sex, birth_year=year)
    assert [message.params for message in wrong_sex] == [(
        ("expected", century_sex_digit(other_sex, year)), ("typed", number[3]), ("year", str(year))
    )]


@given(personas_with_id_numbers(), st.integers(min_value=1900, max_value=2099))
def test_a_generated_id_number_fails_for_another_birth_year(persona, other_year):
    number, sex, year = persona
    if other_year % 100 == year % 100:
        other_year = year + 1 if year < 2099 else year - 1

    assert check_id_number(number, sex=sex, birth_year=other_year) != []


@given(personas_with_id_numbers(), personas_with_id_numbers())
def test_id_number_matches_reports_each_differing_part_without_revealing_it(typed, expected):
    messages = id_number_matches(typed[0], expected[0])
    parts = [slice(0, 3), slice(3, 4), slice(4, 6), slice(6, 12)]

    assert len(messages) == sum(typed[0][part] != expected[0][part] for part in parts)
    for message in messages:
        assert message.params == ()
        assert not re.search(r"[0-9]{2,}", message.render())


mobile_numbers = st.builds(
    lambda prefix, rest: "0" + prefix + rest,
    st.sampled_from("35789"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
separators = st.sampled_from(["", " ", ".", "-", "  "])


@st.composite
def written_variants(draw, canonical):
    """Draw one way a person might write the mobile number `canonical`."""
    national = canonical[1:]
    country_code = draw(st.sampled_from(["0", "+84", "84", "(+84)", "+84 ", "(0"]))
    first, second, third = national[:3], national[3:6], national[6:]
    separator = draw(separators)
    written = country_code + first + (")" if country_code == "(0" else "") + separator
    written += second + separator + third
    if draw(st.booleans()):
        written = full_width(written)
    return written


@given(mobile_numbers.flatmap(lambda number: st.tuples(st.just(number), written_variants(number))))
@settings(max_examples=200)
def test_every_way_of_writing_a_mobile_number_normalises_to_the_same_value(case):
    canonical, written = case

    assert normalize_phone(canonical) == canonical
    assert normalize_phone(written) == canonical
    assert check_phone(written) == []
    assert looks_like_real_phone(written)


@given(st.one_of(st.text(), st.text(alphabet="+0123456789 .-()", max_size=20)))
@settings(max_examples=200)
def test_normalize_phone_is_idempotent_and_agrees_with_check_phone(raw):
    canonical = normalize_phone(raw)

    assert (canonical is None) == bool(check_phone(raw))
    if canonical is not None:
        assert re.fullmatch(r"0[35789][0-9]{8}", canonical)
        assert normalize_phone(canonical) == canonical


UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZĂÂĐÊÔƠƯÁẮẤÉẾÍÓỐỚÚỨÝ"
LOWER = "abcdefghijklmnopqrstuvwxyzăâđêôơưáắấéếíóốớúứý"
DIGITS = "0123456789"
SPECIALS = "!@#$%^&*()-_=+[]{};:'\",.<>/?\\|`~"
CLASSES = {NEEDS_DIGIT: DIGITS, NEEDS_UPPER: UPPER, NEEDS_LOWER: LOWER, NEEDS_SPECIAL: SPECIALS}


@st.composite
def passwords(draw, classes):
    """Draw an 8–20 character password with at least one character from each of `classes`."""
    alphabet = "".join(classes)
    length = draw(st.integers(min_value=8, max_value=20))
    required = [draw(st.sampled_from(characters)) for characters in classes]
    filler = draw(st.text(alphabet=alphabet, min_size=length - len(required),
                          max_size=length - len(required)))
    return "".join(draw(st.permutations(required + list(filler))))


@given(passwords(list(CLASSES.values())))
@settings(max_examples=200)
def test_check_password_accepts_every_password_meeting_the_rule(password):
    assert check_password(password) == []


@given(st.sampled_from(sorted(CLASSES)).flatmap(lambda missing: st.tuples(
    st.just(missing),
    passwords([characters for message, characters in CLASSES.items() if message != missing]),
)))
@settings(max_examples=200)
def test_check_password_rejects_every_password_missing_one_class(case):
    missing, password = case

    assert rendered(check_password(password)) == [missing]


@given(st.text(max_size=40))
def test_check_password_messages_never_echo_the_password(password):
    for message in check_password(password):
        assert all(value.isdecimal() for _, value in message.params)


VIETNAMESE_VARIANTS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
    "e": "eèéẻẽẹêềếểễệEÈÉẺẼẸÊỀẾỂỄỆ",
    "i": "iìíỉĩịIÌÍỈĨỊ",
    "o": "oòóỏõọôồốổỗộơờớởỡợOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
    "u": "uùúủũụưừứửữựUÙÚỦŨỤƯỪỨỬỮỰ",
    "y": "yỳýỷỹỵYỲÝỶỸỴ",
    "d": "dđDĐ",
}


@st.composite
def texts_with_diacritics(draw):
    """Draw (plain text, the same text with random accents, case, spacing and NFC/NFD form)."""
    plain = draw(st.text(alphabet="abcdeghiklmnopqrstuvxy ", max_size=30))
    decorated = "".join(
        draw(st.sampled_from(VIETNAMESE_VARIANTS.get(letter, letter + letter.upper())))
        for letter in plain
    )
    spaced = decorated.replace(" ", draw(st.sampled_from([" ", "  ", "\t", " \n"])))
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return plain, unicodedata.normalize(form, spaced)


@given(texts_with_diacritics())
@settings(max_examples=200)
def test_fold_text_ignores_diacritics_case_and_spacing(case):
    plain, decorated = case

    assert fold_text(decorated) == " ".join(plain.split())


@given(st.text())
@settings(max_examples=200)
def test_fold_text_is_idempotent(raw):
    assert fold_text(fold_text(raw)) == fold_text(raw)


@given(st.text())
@settings(max_examples=200)
def test_no_check_raises_on_arbitrary_text_and_every_message_renders(raw):
    results = [check(raw) for check in CHECKS]
    results.append(id_number_matches(raw, "001185012345"))

    for messages in results:
        assert isinstance(messages, list)
        for message in messages:
            assert isinstance(message, Message)
            assert message.render()
    assert isinstance(looks_like_real_id_number(raw), bool)
    assert isinstance(looks_like_real_phone(raw), bool)
    assert isinstance(digits_only(raw), str)
