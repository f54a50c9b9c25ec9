"""The translation catalogues: complete, consistent, compiled, and used when the block renders."""

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from runtime import RecordingRuntime, call
from scenarios import FULL, FULL_VALUES

from dps_xblocks.i18n import BundledCatalogueService, load_catalogue, locale_candidates

ROOT = Path(__file__).resolve().parent.parent
# scripts/ is not a package: its modules import each other by name, as when run as scripts.
sys.path.insert(0, str(ROOT / "scripts"))
import catalogues  # noqa: E402

BLOCK = f'<dps_practice url_name="p">{FULL}</dps_practice>'

# Words every Vietnamese translation must use for these terms (as written in the msgid, case
# included), so that the learner meets one name for one thing, the name the real services use.
GLOSSARY = {
    "ID number": "số định danh cá nhân",
    "passcode": "mã bảo vệ",
    "password": "mật khẩu",
    "PRACTICE": "BẢN TẬP",
}


def practice_block(language):
    """The FULL scenario's block in a runtime whose i18n service speaks `language`."""
    runtime = RecordingRuntime(services={"i18n": BundledCatalogueService(language)})
    return runtime.get_block(runtime.parse_xml_string(BLOCK))


def write_po(tmp_path, body, language="vi"):
    """A catalogue file with a valid header for `language` followed by `body`."""
    path = tmp_path / "text.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n'
        f'"Language: {language}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n{body}',
        encoding="utf-8")
    return catalogues.read_po(path)


def fake_source(*msgids):
    return {msgid: catalogues.SourceMessage(msgid, None, ROOT / "dps_xblocks" / "x.py", 1)
            for msgid in msgids}


def test_vietnamese_and_english_have_a_catalogue():
    assert {"en", "vi"} <= set(catalogues.locales())


def test_the_source_strings_include_those_in_f_strings_handlers_and_field_metadata():
    messages = catalogues.source_messages()
    assert {"PRACTICE", "Show a hint", "SMS from {sender}", "Display name",
            "Please fill in “{label}”.",
            "The practice changed in another window; the page now shows where you are.",
            "The ID number has {count} digits; it needs exactly 12. A digit may be missing.",
            } <= set(messages)
    assert messages["PRACTICE"].place.startswith("dps_xblocks/rendering.py:")
    assert not any(message.path.is_relative_to(ROOT / "dps_xblocks" / "preview")
                   for message in messages.values())


@pytest.mark.parametrize("locale", catalogues.locales())
def test_every_source_msgid_has_a_confirmed_translation_with_the_same_placeholders(locale):
    entries = catalogues.read_po(catalogues.po_path(locale))
    assert catalogues.catalogue_problems(locale, entries, catalogues.source_messages()) == []


@pytest.mark.parametrize("locale", catalogues.locales())
def test_the_shipped_mo_is_exactly_what_msgfmt_makes_of_the_po(locale):
    assert catalogues.compiled_problems(locale) == []


def test_the_check_script_passes_on_the_committed_catalogues():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_translations.py")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Catalogues complete and compiled: en, ")


def test_xgettext_sees_every_msgid_of_the_source(tmp_path):
    template = catalogues.read_po(catalogues.xgettext_template(tmp_path / "text.pot"))
    assert catalogues.hidden_from_xgettext(template, catalogues.source_messages()) == []


def test_a_msgid_inside_an_f_string_is_reported_with_its_line(tmp_path):
    source = tmp_path / "screen.py"
    source.write_text('def page(_):\n    title = _("Seen")\n'
                      '    return f"<h1>{title}</h1><p>{_(\'Hidden\')}</p>"\n', encoding="utf-8")
    template = catalogues.read_po(catalogues.xgettext_template(tmp_path / "t.pot", [source]))
    messages = catalogues.source_messages([source])

    problems = catalogues.hidden_from_xgettext(template, messages)

    assert set(messages) == {"Seen", "Hidden"}
    assert len(problems) == 1
    assert problems[0].startswith(f"{source}:3: xgettext cannot see the msgid 'Hidden'")


def test_the_po_reader_keeps_flags_plurals_escapes_and_obsolete_entries(tmp_path):
    entries = write_po(tmp_path, (
        '#, fuzzy, python-brace-format\nmsgid ""\n"Two \\"lines\\" "\n"{n}"\nmsgstr "Hai {n}"\n\n'
        'msgid "One file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} tệp"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Đã bỏ"\n'))

    fuzzy, plural, gone = entries[1:]
    assert (fuzzy.msgid, fuzzy.msgstr, fuzzy.fuzzy) == ('Two "lines" {n}', ["Hai {n}"], True)
    assert "python-brace-format" in fuzzy.flags
    assert (plural.msgid_plural, plural.msgstr) == ("{n} files", ["{n} tệp"])
    assert (gone.msgid, gone.obsolete) == ("Gone", True)
    assert catalogues.header(entries) == {"Language": "vi",
                                          "Content-Type": "text/plain; charset=UTF-8"}


def test_the_checks_name_each_kind_of_broken_translation(tmp_path):
    entries = write_po(tmp_path, (
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Unsure"\nmsgstr "Chưa chắc"\n\n'
        'msgid "Has {count} digits"\nmsgstr "Có {so} chữ số"\n\n'
        'msgid "Lone brace {count}"\nmsgstr "Dấu {count"\n\n'
        'msgid "Removed"\nmsgstr "Đã bỏ"\n\n'
        '#~ msgid "Long gone"\n#~ msgstr "Cũ"\n'))
    source = fake_source("Empty", "Unsure", "Has {count} digits", "Lone brace {count}",
                         "Missing")

    problems = catalogues.catalogue_problems("vi", entries, source)

    assert len(problems) == 6
    assert "'Empty' has no translation" in problems[0]
    assert "'Has {count} digits' has ['count']" in problems[1]
    assert "has a lone { or }" in problems[2]
    assert "'Missing' (from dps_xblocks/x.py:1) is missing" in problems[3]
    assert "marked fuzzy" in problems[4]
    assert "'Removed' is no longer in the source" in problems[5]


def test_the_english_catalogue_must_repeat_each_msgid(tmp_path):
    entries = write_po(tmp_path, 'msgid "Start again"\nmsgstr "Restart"\n', language="en")

    problems = catalogues.catalogue_problems("en", entries, fake_source("Start again"))

    assert len(problems) == 1 and "must repeat the msgid" in problems[0]


def test_a_catalogue_whose_header_names_another_language_is_refused(tmp_path):
    entries = write_po(tmp_path, 'msgid "Hint"\nmsgstr "Gợi ý"\n', language="en")

    problems = catalogues.catalogue_problems("vi", entries, fake_source("Hint"))

    assert problems == [f"{catalogues.po_path('vi').relative_to(ROOT)}: the header says "
                        "Language: 'en'; the catalogue's folder says 'vi'."]


@pytest.mark.parametrize(("english", "vietnamese"), GLOSSARY.items())
def test_vietnamese_translations_use_one_name_for_each_term(english, vietnamese):
    entries = catalogues.read_po(catalogues.po_path("vi"))
    using = [entry for entry in entries if english in entry.msgid]

    assert using
    assert [entry.msgid for entry in using
            if vietnamese.casefold() not in entry.msgstr[0].casefold()] == []


def test_the_service_finds_a_catalogue_by_language_and_region():
    assert locale_candidates("vi-VN") == ["vi_VN", "vi"]
    assert locale_candidates("pt_br") == ["pt_BR", "pt"]
    assert locale_candidates("../vi") == [] and locale_candidates("") == []
    assert BundledCatalogueService("vi-VN").gettext("Show a hint") == "Xem gợi ý"
    assert BundledCatalogueService("vi").ugettext("Start again") == "Làm lại từ đầu"


def test_the_service_shows_the_msgid_where_there_is_no_translation():
    assert BundledCatalogueService("vi").gettext("Not a msgid of ours") == "Not a msgid of ours"
    assert BundledCatalogueService("fr").gettext("Show a hint") == "Show a hint"
    assert BundledCatalogueService("fr").ungettext("One file", "{n} files", 2) == "{n} files"


def test_each_loaded_catalogue_is_a_separate_object():
    first, second = load_catalogue("vi"), load_catalogue("vi")
    first.add_fallback(None)
    assert first is not second and second._fallback is None


def test_the_block_renders_in_vietnamese():
    block = practice_block("vi")
    html = block.render("student_view", {}).body_html()
    script_strings = block.student_view({}).json_init_args["strings"]

    assert "BẢN TẬP" in html and "Xem gợi ý" in html and "Làm lại từ đầu" in html
    assert "Thông tin mẫu để nhập" in html and "Số định danh cá nhân" in html
    assert "PRACTICE" not in html and "Show a hint" not in html
    assert script_strings["restartConfirm"] == (
        "Bấm lần nữa để làm lại từ đầu (điểm cao nhất vẫn được giữ)")


def test_the_block_renders_in_english():
    html = practice_block("en").render("student_view", {}).body_html()

    assert "PRACTICE" in html and "Show a hint" in html and "Start again" in html
    assert "Practice details to type" in html and "Personal ID number" in html
    assert "BẢN TẬP" not in html


def test_a_format_message_comes_back_from_the_handler_in_vietnamese():
    block = practice_block("vi")
    call(block, "submit", {"revision": 0, "screen": "one", "action": "next"})

    status, body = call(block, "submit", {"revision": 1, "screen": "two",
                                          "values": {**FULL_VALUES, "id": "12345"}})

    assert status == 200 and not body["correct"]
    assert body["errors"] == {"id": "Số định danh cá nhân có 5 chữ số; cần đúng 12 chữ số. "
                                    "Có thể còn thiếu một chữ số."}
    assert "Bước 2 trong khoảng 3 bước" in body["html"]


def test_the_same_message_comes_back_in_english():
    block = practice_block("en")
    call(block, "submit", {"revision": 0, "screen": "one", "action": "next"})

    body = call(block, "submit", {"revision": 1, "screen": "two",
                                  "values": {**FULL_VALUES, "id": "12345"}})[1]

    assert body["errors"] == {
        "id": "The ID number has 5 digits; it needs exactly 12. A digit may be missing."}


def test_the_privacy_warning_and_request_errors_are_translated():
    block = practice_block("vi")
    call(block, "submit", {"revision": 0, "screen": "one", "action": "next"})

    body = call(block, "submit", {"revision": 1, "screen": "two",
                                  "values": {**FULL_VALUES, "phone": "0987 111 222"}})[1]
    status, stale = call(block, "restart", {"revision": 0})

    assert body["errors"]["phone"] == ("Đây không phải số điện thoại mẫu. Vui lòng dùng số "
                                       "trong thông tin mẫu.")
    assert body["privacy_warning"].startswith("Đây là bài thực hành: xin đừng nhập")
    assert status == 409 and stale["error"].startswith("Bài thực hành vừa thay đổi")


SHIPPED_TEXT = (".po", ".py", ".html", ".xml", ".md", ".js", ".css", ".json", ".svg", ".rng")


def shipped_text_files():
    folders = ("dps_xblocks", "courses_olx", "docs", "translations")
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*")
                  if path.is_file() and path.suffix in SHIPPED_TEXT)


def test_every_shipped_text_file_is_nfc_normalised():
    files = shipped_text_files()
    not_nfc = [str(path.relative_to(ROOT)) for path in files
               if not unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))]

    assert len(files) > 50
    assert not_nfc == []
