"""`dps-olx validate`: the shipped course passes, and each kind of defect is reported exactly.

Most cases copy the small valid course in `tests/broken_courses/base/` and make one edit, so
each defect is shown next to the course that lacks it. Every case checks the finding's check id,
file, line and message, and that none of our other checks says anything: one defect, one
finding (olxcleaner may add a finding of its own, named in the case).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from dps_xblocks.engine.parsing import (
    MAX_SCENARIO_BYTES,
    ScenarioError,
    hardened_parser,
    parse_xml_text,
)
from dps_xblocks.olx import checks_html, checks_scenarios, cli, validation, validation_files
from dps_xblocks.olx.validation import Finding, validate_course, validate_files

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_COURSE = ROOT / "courses_olx" / "dps_hanoi_vi"
BASE_COURSE = Path(__file__).parent / "broken_courses" / "base"
SECRET = "BI-MAT-NGOAI-KHOA-HOC-7291"
TEXT_LINE = re.compile(r"^\S.*:\d+: (error|warning): .+ \(fix: .+\)$")


@pytest.fixture
def course(tmp_path):
    """A fresh copy of the valid base course, to break in one place."""
    target = tmp_path / "course"
    shutil.copytree(BASE_COURSE, target)
    return target


@pytest.fixture
def secret_file(tmp_path):
    """A file outside the course whose content must never show up in any output."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    return secret


def replace(path, old, new):
    """An edit replacing the one occurrence of `old` in the course file `path`."""
    def edit(root):
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} should occur once in {path}"
        file.write_text(text.replace(old, new), encoding="utf-8")
    return edit


def write(path, content):
    """An edit creating (or overwriting) the course file `path`; bytes are written as is."""
    def edit(root):
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content, encoding="utf-8")
    return edit


def remove(path):
    """An edit deleting the course file `path`."""
    return lambda root: (root / path).unlink()


def combine(*edits):
    """Several edits making up one defect."""
    def edit(root):
        for each in edits:
            each(root)
    return edit


def run_cli(*argv):
    """Run `dps-olx validate` through the subcommand's own argument parser."""
    parser = argparse.ArgumentParser(prog="dps-olx validate")
    validation.add_arguments(parser)
    return validation.run(parser.parse_args([str(arg) for arg in argv]))


def ours(findings):
    """The findings of our own checks, without olxcleaner's."""
    return [found for found in findings if not found.check.startswith("olxcleaner")]


@dataclass(frozen=True)
class Case:
    """One defect: the edit that makes it, and the one finding it must cause."""

    name: str
    edit: object
    check: str
    file: str
    line: int
    message: str
    severity: str = "error"
    olxcleaner: tuple = ()  # olxcleaner check ids allowed to add a finding of their own


PRACTICE_POINTER_UNIT = """<vertical display_name="Đọc và thực hành">
  <html url_name="intro"/>
  <dps_practice url_name="practice"/>
</vertical>
"""
LOST_SCREEN = ('<screen id="lost" title="Lạc"><text>Lạc đường.</text><hint>Quay lại.</hint>'
               '<actions><action id="back" goto="done">Về</action></actions></screen>\n      ')
LINK = '<a href="/static/diagram.svg">sơ đồ các bước, khổ lớn</a>'
SKIPPED = ("olxcleaner",)
OVERRIDE = ("olxcleaner-SettingOverride",)  # olxcleaner also sees the policy differ from XML
DONE_TEXT = "<text>Chị đã làm xong.</text>"
# 80 texts of 3,060 bytes: a scenario of about 250 KB more than the base one.
HUGE_TEXTS = "".join(f"<text>{'Chị đã làm xong. ' * 180}</text>\n" for _ in range(80))

CASES = [
    Case("xml-syntax", replace("chapter/ch.xml", "</chapter>", "</chapterr>"),
         "xml-syntax", "chapter/ch.xml", 3, "the XML does not parse"),
    Case("entity-declaration",
         replace("sequential/seq.xml", '<sequential display_name="Bài một">',
                 '<!DOCTYPE sequential [<!ENTITY name "Bài một">]>\n'
                 '<sequential display_name="&name;">'),
         "xml-doctype", "sequential/seq.xml", 1, "declares a DOCTYPE", olxcleaner=SKIPPED),
    Case("not-utf8", write("chapter/ch.xml", b'<chapter display_name="Ch\xe9">\n</chapter>\n'),
         "encoding", "chapter/ch.xml", 1, "not UTF-8", olxcleaner=SKIPPED),
    Case("pointer-target-missing",
         replace("sequential/seq.xml", '<vertical url_name="unit"/>\n',
                 '<vertical url_name="unit"/>\n  <vertical url_name="unit_three"/>\n'),
         "pointer", "sequential/seq.xml", 3, "vertical/unit_three.xml, which does not exist"),
    Case("html-file-missing", remove("html/intro.html"),
         "pointer", "html/intro.xml", 1, "names html/intro.html, which does not exist"),
    Case("html-filename-leaving-its-folder",
         replace("html/intro.xml", 'filename="intro"', 'filename="../course"'),
         "pointer", "html/intro.xml", 1, "filename='../course' does not name a file inside html/",
         olxcleaner=SKIPPED),
    Case("pointer-with-extra-attributes",
         replace("sequential/seq.xml", '<vertical url_name="unit"/>',
                 '<vertical url_name="unit" display_name="Đọc"/>'),
         "pointer", "sequential/seq.xml", 2, "ignores vertical/unit.xml"),
    Case("orphan-file",
         write("vertical/old_unit.xml", '<vertical display_name="Cũ">\n'
               '  <html url_name="old_note" display_name="Cũ"><p>Cũ.</p></html>\n</vertical>\n'),
         "orphan", "vertical/old_unit.xml", 0, "not used by any block", severity="warning"),
    Case("course-key-with-space", replace("course.xml", 'org="TestOrg"', 'org="Test Org"'),
         "course-key", "course.xml", 1, "org='Test Org' cannot be part of a course key"),
    Case("course-pointer-attribute-missing", replace("course.xml", ' org="TestOrg"', ""),
         "structure", "course.xml", 1, "missing: org", olxcleaner=SKIPPED),
    Case("vertical-in-chapter",
         replace("chapter/ch.xml", '<sequential url_name="seq"/>\n',
                 '<sequential url_name="seq"/>\n  <vertical url_name="stray" display_name="L">'
                 '<html url_name="stray_note" display_name="L"><p>x</p></html></vertical>\n'),
         "structure", "chapter/ch.xml", 3, "a <vertical> inside a <chapter>"),
    Case("unknown-block-type",
         replace("vertical/unit.xml", '<html url_name="intro"/>\n',
                 '<html url_name="intro"/>\n  <poll_widget url_name="poll"/>\n'),
         "block-type", "vertical/unit.xml", 3, "<poll_widget> is neither"),
    Case("url-name-missing",
         replace("sequential/seq.xml", '<vertical url_name="unit_two" display_name="Ghi chú">',
                 '<vertical display_name="Ghi chú">'),
         "url-name", "sequential/seq.xml", 3, "<vertical display_name='Ghi chú'> has no url_name"),
    Case("url-name-not-ascii", replace("sequential/seq.xml", 'url_name="note"',
                                       'url_name="ghi_chú"'),
         "url-name", "sequential/seq.xml", 4, "the url_name 'ghi_chú' of this <html> has"),
    Case("url-name-with-space", replace("sequential/seq.xml", 'url_name="tip"',
                                        'url_name="meo nho"'),
         "url-name", "sequential/seq.xml", 5, "the url_name 'meo nho' of this <html> has"),
    Case("url-name-in-a-tag-over-several-lines",
         replace("sequential/seq.xml", 'url_name="unit_two" display_name="Ghi chú">',
                 'display_name="Ghi chú"\n      url_name="unit two">'),
         "url-name", "sequential/seq.xml", 4, "the url_name 'unit two' of this <vertical> has"),
    Case("pointer-used-twice",
         replace("course/run.xml", '<chapter url_name="ch"/>\n',
                 '<chapter url_name="ch"/>\n  <chapter url_name="ch"/>\n'),
         "pointer", "course/run.xml", 3, "chapter/ch.xml is used a second time (first at "
         "course/run.xml:2)"),
    Case("url-name-repeated-same-type",
         replace("sequential/seq.xml", 'url_name="tip"', 'url_name="note"'),
         "url-name", "sequential/seq.xml", 5, "'note' is used by two <html> blocks"),
    Case("url-name-repeated-other-type",
         replace("vertical/unit.xml", 'url_name="practice"', 'url_name="seq"'),
         "url-name", "vertical/unit.xml", 3, "'seq' is used by a <sequential> at chapter/ch.xml:2"),
    Case("custom-block-as-pointer",
         lambda root: combine(
             write("dps_practice/practice.xml",
                   "".join((root / "vertical/unit.xml").read_text("utf-8").splitlines(True)[2:18])
                   .replace('url_name="practice" ', "")),
             write("vertical/unit.xml", PRACTICE_POINTER_UNIT))(root),
         "custom-block", "vertical/unit.xml", 3,
         "'practice' is written as a pointer to dps_practice/practice.xml"),
    Case("policy-invalid-json",
         replace("policies/run/policy.json", '["dps_practice"],', '["dps_practice"]'),
         "policy", "policies/run/policy.json", 4, "is not valid JSON: Expecting ',' delimiter"),
    Case("assets-invalid-json", write("policies/assets.json", "{\n  'logo.svg': {}\n}\n"),
         "policy", "policies/assets.json", 2, "is not valid JSON: Expecting property name"),
    Case("orphan-custom-block-file",
         write("dps_practice/old.xml", '<dps_practice display_name="Cũ"/>\n'),
         "orphan", "dps_practice/old.xml", 0, "not used by any block", severity="warning"),
    Case("policy-not-an-object", write("policies/run/policy.json", '["dps_practice"]\n'),
         "policy", "policies/run/policy.json", 1, "holds a JSON list, not an object"),
    Case("grading-policy-invalid-json",
         replace("policies/run/grading_policy.json", '{"Pass": 0.5}', '{"Pass": 0.5,}'),
         "policy", "policies/run/grading_policy.json", 5, "is not valid JSON"),
    Case("policy-key-without-type",
         replace("policies/run/policy.json", '{\n  "course/run"',
                 '{\n  "advanced": {},\n  "course/run"'),
         "policy-key", "policies/run/policy.json", 2, "'advanced' does not name a block",
         olxcleaner=SKIPPED),
    Case("advanced-modules-missing-type",
         replace("policies/run/policy.json", '["dps_practice"]', "[]"),
         "advanced-modules", "policies/run/policy.json", 3,
         "does not list 'dps_practice', used at vertical/unit.xml:3"),
    Case("date-invalid-in-xml",
         replace("course/run.xml", 'start="2026-01-01T00:00:00Z"', 'start="2026-02-30"'),
         "dates", "course/run.xml", 1, "start '2026-02-30' is not an ISO 8601 date"),
    Case("date-not-iso-in-policy",
         replace("policies/run/policy.json", '"2027-01-01T00:00:00Z"', '"01/01/2027"'),
         "dates", "policies/run/policy.json", 5, "end '01/01/2027' is not an ISO 8601 date"),
    Case("end-before-start",
         replace("policies/run/policy.json", '"2027-01-01T00:00:00Z"', '"2025-06-01T00:00:00Z"'),
         "dates", "policies/run/policy.json", 5, "end '2025-06-01T00:00:00Z' is not after start"),
    Case("start-missing", replace("course/run.xml", ' start="2026-01-01T00:00:00Z"', ""),
         "dates", "course/run.xml", 1, "the course has no start date"),
    Case("course-image-unset", replace("course/run.xml", ' course_image="course_image.svg"', ""),
         "course-image", "course/run.xml", 1, "the course has no course_image"),
    Case("course-image-file-missing", remove("static/course_image.svg"),
         "course-image", "course/run.xml", 1, "course_image 'course_image.svg' is not in static/"),
    Case("language-unset", replace("course/run.xml", ' language="vi"', ""),
         "language", "course/run.xml", 1, "the course has no language setting"),
    Case("scenario-goto-missing", replace("vertical/unit.xml", 'goto="done"', 'goto="finish"'),
         "scenario", "vertical/unit.xml", 6, "screen 'start' leads to 'finish', which does not"),
    Case("scenario-screen-unreachable",
         replace("vertical/unit.xml", '<screen id="done"', LOST_SCREEN + '<screen id="done"'),
         "scenario", "vertical/unit.xml", 13, "screen 'lost' cannot be reached from 'start'"),
    Case("scenario-start-missing", replace("vertical/unit.xml", 'start="start">',
                                           'start="begin">'),
         "scenario", "vertical/unit.xml", 4, "start='begin' names no screen"),
    Case("scenario-against-the-grammar",
         replace("vertical/unit.xml", "<text>Chị {persona.name} mở ứng dụng.</text>",
                 '<notice kind="danger">Chú ý.</notice>'),
         "scenario", "vertical/unit.xml", 7, "kind='danger' is not allowed on <notice>"),
    Case("practice-without-scenario",
         combine(replace("vertical/unit.xml", "<scenario ", "<scenarios "),
                 replace("vertical/unit.xml", "</scenario>", "</scenarios>")),
         "scenario", "vertical/unit.xml", 3, "'practice' has no <scenario>"),
    Case("static-link-missing-in-html",
         replace("html/intro.html", 'src="/static/diagram.svg"', 'src="/static/diagram_old.svg"'),
         "static-ref", "html/intro.html", 3, "'/static/diagram_old.svg' names a file that is not"),
    Case("static-link-missing-in-scenario",
         replace("vertical/unit.xml", "<text>Chị đã làm xong.</text>",
                 '<image src="/static/done.png" alt="Dấu tích xanh"/>'),
         "static-ref", "vertical/unit.xml", 14, "'/static/done.png' names a file that is not"),
    Case("static-link-leaving-static",
         replace("html/intro.html", 'href="/static/diagram.svg"', 'href="/static/../course.xml"'),
         "static-ref", "html/intro.html", 5, "'/static/../course.xml' leads out of static/"),
    Case("static-name-not-ascii", write("static/ảnh minh họa.svg", "<svg/>"),
         "static-name", "static/ảnh minh họa.svg", 0, "the name 'ảnh minh họa.svg' has"),
    Case("html-script",
         replace("html/intro.html", "bài.</p>", 'bài.</p><script>alert("x")</script>'),
         "html-script", "html/intro.html", 2, "a <script> element"),
    Case("html-onclick", replace("html/intro.html", "<p>Đọc kỹ", '<p onclick="track()">Đọc kỹ'),
         "html-handler", "html/intro.html", 2, "the event handler onclick='track()' on <p>"),
    Case("html-onclick-inline-component",
         replace("sequential/seq.xml", "<p>Một ghi chú", '<p onclick="x()">Một ghi chú'),
         "html-handler", "sequential/seq.xml", 4, "onclick='x()'"),
    Case("html-javascript-url",
         replace("html/intro.html", 'href="/static/diagram.svg"', 'href=" javascript:void(0)"'),
         "html-js-url", "html/intro.html", 5, "the href of <a> is a javascript: URL"),
    Case("img-without-alt", replace("html/intro.html", ' alt="Sơ đồ các bước đăng ký"', ""),
         "img-alt", "html/intro.html", 3, "the image '/static/diagram.svg' has no alt text"),
    Case("heading-skipped",
         replace("html/intro.html", "<h4>Chi tiết</h4>", "<h5>Chi tiết</h5>"),
         "heading", "html/intro.html", 4, "<h5> follows <h3>, skipping <h4>"),
    Case("heading-starts-too-deep",
         replace("about/overview.html", "<h2>Khóa học này dạy gì?</h2>", "<h4>Khóa học?</h4>"),
         "heading", "about/overview.html", 1, "the first heading is <h4>"),
    Case("heading-h1",
         replace("about/overview.html", "<h2>Khóa học này dạy gì?</h2>", "<h1>Khóa học?</h1>"),
         "heading", "about/overview.html", 1, "an <h1> in a component", severity="warning"),
    Case("link-text-bam-vao-day",
         replace("html/intro.html", "sơ đồ các bước, khổ lớn", "Bấm vào  đây"),
         "link-text", "html/intro.html", 5, "the link text 'Bấm vào  đây' does not say"),
    Case("link-text-click-here",
         replace("html/intro.html", "sơ đồ các bước, khổ lớn", "click here!"),
         "link-text", "html/intro.html", 5, "the link text 'click here!' does not say"),
    Case("link-text-empty",
         replace("html/intro.html", LINK,
                 '<a href="/static/diagram.svg"><img src="/static/diagram.svg" alt=""></a>'),
         "link-text", "html/intro.html", 5, "the link to '/static/diagram.svg' has no text"),
    Case("scenario-too-large", replace("vertical/unit.xml", DONE_TEXT, HUGE_TEXTS),
         "scenario-size", "vertical/unit.xml", 4, "bytes, more than the 262144 bytes the block "
         "accepts"),
    Case("practice-weight-not-a-number",
         replace("vertical/unit.xml", 'weight="1.0"', 'weight="abc"'),
         "weight", "vertical/unit.xml", 3, "has weight='abc'; the weight must be a number"),
    Case("practice-weight-negative", replace("vertical/unit.xml", 'weight="1.0"', 'weight="-5"'),
         "weight", "vertical/unit.xml", 3, "has weight='-5'"),
    Case("practice-weight-nan", replace("vertical/unit.xml", 'weight="1.0"', 'weight="nan"'),
         "weight", "vertical/unit.xml", 3, "has weight='nan'"),
    Case("practice-weight-infinite",
         replace("vertical/unit.xml", 'weight="1.0"', 'weight="inf"'),
         "weight", "vertical/unit.xml", 3, "has weight='inf'"),
    Case("practice-weight-decimal-comma",
         replace("vertical/unit.xml", 'weight="1.0"', 'weight="1,5"'),
         "weight", "vertical/unit.xml", 3, "has weight='1,5'"),
    Case("practice-weight-on-its-own-line",
         replace("vertical/unit.xml", ' weight="1.0">', '\n      weight="">'),
         "weight", "vertical/unit.xml", 4, "has weight=''"),
    Case("practice-display-name-missing",
         replace("vertical/unit.xml", ' display_name="Thực hành"', ""),
         "display-name", "vertical/unit.xml", 3, "'practice' has no display_name",
         severity="warning"),
    Case("practice-display-name-empty",
         replace("vertical/unit.xml", 'display_name="Thực hành"', 'display_name="  "'),
         "display-name", "vertical/unit.xml", 3, "'practice' has an empty display_name"),
    Case("assets-nested-too-deeply", write("policies/assets.json", "[" * 2000),
         "json-depth", "policies/assets.json", 1, "policies/assets.json is nested too deeply to "
         "be read: 2000 levels", olxcleaner=SKIPPED),
    Case("policy-nested-too-deeply",
         replace("policies/run/policy.json", '["dps_practice"]',
                 "[" * 1500 + "]" * 1500),
         "json-depth", "policies/run/policy.json", 3, "nested too deeply to be read: 1502 "
         "levels of [ or { at line 3", olxcleaner=SKIPPED),
    Case("policy-display-name-number",
         replace("policies/run/policy.json", '"Khóa học thử"', "123"),
         "display-name", "policies/run/policy.json", 4,
         "the display_name of 'course/run' is 123, a JSON number, not text", olxcleaner=OVERRIDE),
    Case("policy-display-name-list",
         replace("policies/run/policy.json", '"Khóa học thử"', '["x"]'),
         "display-name", "policies/run/policy.json", 4, 'is ["x"], a JSON array, not text',
         olxcleaner=OVERRIDE),
    Case("policy-display-name-object",
         replace("policies/run/policy.json", '"Khóa học thử"', '{"vi": "Khóa học thử"}'),
         "display-name", "policies/run/policy.json", 4, "a JSON object, not text",
         olxcleaner=OVERRIDE),
    Case("policy-display-name-boolean",
         replace("policies/run/policy.json", '"Khóa học thử"', "true"),
         "display-name", "policies/run/policy.json", 4, "is true, a JSON boolean, not text",
         olxcleaner=OVERRIDE),
    Case("policy-display-name-control-character",
         replace("policies/run/policy.json", '"Khóa học thử"', '"Khóa học\\u0001 thử"'),
         "display-name", "policies/run/policy.json", 4,
         "the display_name of 'course/run' holds the character U+0001, which XML cannot hold",
         olxcleaner=OVERRIDE),
    Case("olxcleaner-grading-weights",
         replace("policies/run/grading_policy.json", '"weight": 1.0', '"weight": 0.5'),
         "olxcleaner-GradingPolicyIssue", "policies/run/grading_policy.json", 0,
         "'weight' settings do not add up to 1"),
    Case("olxcleaner-missing-display-name",
         replace("sequential/seq.xml", ' display_name="Mẹo"', ""),
         "olxcleaner-MissingDisplayName", "sequential/seq.xml", 0,
         "is missing the display_name attribute", severity="warning"),
    Case("olxcleaner-policy-differs-from-xml",
         replace("policies/run/policy.json", '"display_name": "Khóa học thử"',
                 '"display_name": "Một tên khác"'),
         "olxcleaner-SettingOverride", "policies/run/policy.json", 0,
         "overriding the setting for 'display_name'", severity="warning"),
]


def test_the_shipped_course_has_no_error_and_no_warning():
    assert validate_course(SHIPPED_COURSE) == []


def test_the_base_of_the_broken_courses_is_itself_clean(course):
    assert validate_course(course) == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_one_defect_gives_one_precise_finding(course, case):
    case.edit(course)
    findings = validate_course(course)

    expected = [found for found in findings if found.check == case.check]
    assert len(expected) == 1, findings
    found = expected[0]
    assert (found.severity, found.file, found.line) == (case.severity, case.file, case.line)
    assert case.message in found.message
    assert found.fix
    others = [other for other in findings if other is not found]
    assert [other for other in others if other.check not in case.olxcleaner] == [], others


def test_json_quoted_dates_as_studio_exports_them_are_accepted(course):
    replace("course/run.xml", 'start="2026-01-01T00:00:00Z"',
            'start="&quot;2026-01-01T00:00:00Z&quot;"')(course)
    assert validate_course(course) == []


def test_olxcleaners_false_alarms_are_raised_by_it_and_filtered_out(course):
    from olxcleaner import validate

    replace("course/run.xml", 'start="2026-01-01T00:00:00Z"',
            'start="&quot;2026-01-01T00:00:00Z&quot;"')(course)
    replace("policies/run/policy.json", ',\n    "end": "2027-01-01T00:00:00Z"', "")(course)
    _, store, _ = validate(str(course), allowed_xblocks=["dps_practice"])
    raised = {(problem.name, problem.description.rsplit(" ", 1)[-1]) for problem in store.errors}

    assert raised == {("SettingOverride", "'display_name'"), ("InvalidSetting", "'end'."),
                      ("InvalidSetting", """'"2026-01-01T00:00:00Z"'.""")}
    assert validate_course(course) == []


def test_an_extra_block_type_is_accepted_inline_and_refused_as_a_pointer(course):
    replace("policies/run/policy.json", '["dps_practice"]', '["dps_practice", "poll_widget"]')(
        course)
    replace("vertical/unit.xml", '<html url_name="intro"/>\n',
            '<html url_name="intro"/>\n  <poll_widget url_name="poll"><q>Có?</q></poll_widget>\n'
            )(course)
    assert validate_course(course, extra_block_types=["poll_widget"]) == []

    replace("vertical/unit.xml", '<poll_widget url_name="poll"><q>Có?</q></poll_widget>',
            '<poll_widget url_name="poll"/>')(course)
    findings = validate_course(course, extra_block_types=["poll_widget"])
    assert [(found.check, found.file, found.line) for found in findings] == [
        ("custom-block", "vertical/unit.xml", 3)]


def test_only_links_that_start_with_static_are_course_files(course):
    replace("html/intro.html", 'href="/static/diagram.svg"',
            'href="https://example.org/static/missing.png" style="background: '
            'url(/static/diagram.svg)"')(course)
    assert validate_course(course) == []

    replace("html/intro.html", "url(/static/diagram.svg)", "url('/static/gone.svg')")(course)
    assert [(found.check, found.message) for found in validate_course(course)] == [
        ("static-ref", "the link '/static/gone.svg' names a file that is not in static/")]


def test_a_symlink_inside_the_course_is_followed(course):
    (course / "static" / "diagram_copy.svg").symlink_to(course / "static" / "diagram.svg")
    replace("html/intro.html", 'src="/static/diagram.svg"', 'src="/static/diagram_copy.svg"')(
        course)
    assert validate_course(course) == []


def test_a_missing_course_folder_is_one_error_finding(tmp_path):
    findings = validate_course(tmp_path / "nowhere")
    assert len(findings) == 1
    assert (findings[0].severity, findings[0].check) == ("error", "course-dir")
    assert "nowhere" in findings[0].message


@pytest.mark.parametrize(("make", "expected"), [
    (lambda path: path.write_text("<course/>"), "is a file, not a folder"),
    (lambda path: path.symlink_to(path), "is a symlink loop"),
    (lambda path: path.symlink_to(path.parent / "gone"), "is a symbolic link to something that "
                                                         "is gone"),
], ids=["regular-file", "symlink-loop", "broken-symlink"])
def test_a_course_path_that_is_no_folder_is_named_for_what_it_is(tmp_path, capsys, make,
                                                                 expected):
    path = tmp_path / "course"
    make(path)

    findings = validate_course(path)
    code = run_cli(path)
    err = capsys.readouterr().err

    assert [(found.check, found.severity) for found in findings] == [("course-dir", "error")]
    assert f"the course folder {str(path)!r} {expected}" in findings[0].message
    assert code == 2
    assert err == (f"dps-olx validate: error: the course folder {str(path)!r} {expected}"
                   f"{err.split(expected, 1)[1]}")
    assert "does not exist" not in err and err.count("\n") == 1


def test_course_xml_given_instead_of_its_folder_is_told_the_folder(course, capsys):
    assert run_cli(course / "course.xml") == 2
    err = capsys.readouterr().err

    assert "is a file, not a folder; give the folder that holds it: " in err
    assert repr(course.as_posix()) in err


def test_a_folder_without_course_xml_is_reported(tmp_path):
    findings = validate_course(tmp_path)
    assert [(found.check, found.file) for found in ours(findings)] == [("structure", "course.xml")]


def test_a_billion_laughs_file_is_refused_without_expansion(course):
    entities = "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10))
    write("chapter/ch.xml", '<?xml version="1.0"?>\n<!DOCTYPE chapter [<!ENTITY lol0 "lol">'
          f'{entities}]>\n<chapter display_name="&lol9;">&lol9;</chapter>\n')(course)
    findings = validate_course(course)
    assert [(found.check, found.file, found.line) for found in ours(findings)] == [
        ("xml-doctype", "chapter/ch.xml", 2)]
    assert all("lollol" not in found.message for found in findings)


def test_an_external_entity_never_reads_the_file_outside_the_course(course, secret_file,
                                                                    capsys):
    write("chapter/ch.xml", f'<!DOCTYPE chapter [<!ENTITY secret SYSTEM "{secret_file.as_uri()}">]>'
          '\n<chapter display_name="&secret;">\n  <sequential url_name="seq"/>\n</chapter>\n'
          )(course)
    assert run_cli(course, "--format", "json") == 1
    as_json = capsys.readouterr()
    assert run_cli(course) == 1
    as_text = capsys.readouterr()

    assert SECRET not in as_json.out + as_json.err + as_text.out + as_text.err
    findings = json.loads(as_json.out)["findings"]
    assert [(found["check"], found["file"], found["line"]) for found in findings
            if found["check"] != "olxcleaner"] == [("xml-doctype", "chapter/ch.xml", 1)]


def test_a_symlink_out_of_the_course_is_not_followed(course, secret_file, capsys):
    (course / "static" / "leak.svg").symlink_to(secret_file)
    (course / "html" / "intro.html").unlink()
    (course / "html" / "intro.html").symlink_to(secret_file)
    assert run_cli(course, "--format", "json") == 1
    output = capsys.readouterr().out

    assert SECRET not in output
    findings = json.loads(output)["findings"]
    assert {(found["check"], found["file"]) for found in findings} >= {
        ("symlink", "static/leak.svg"), ("symlink", "html/intro.html")}
    assert str(secret_file) not in output


def test_a_url_name_climbing_out_of_the_course_is_not_followed(course, tmp_path, capsys):
    (tmp_path / "secret.xml").write_text(
        f'<sequential display_name="{SECRET}"><vertical url_name="x"/></sequential>', "utf-8")
    replace("chapter/ch.xml", 'url_name="seq"', 'url_name="../../secret"')(course)
    assert run_cli(course) == 1
    output = capsys.readouterr().out

    assert SECRET not in output
    assert "chapter/ch.xml:2: error: the url_name '../../secret' of this <sequential>" in output
    assert "olxcleaner was not run" in output


def test_an_oversized_xml_file_is_refused_unread(course):
    # Not XML at all: had it been read, it would also be reported as a syntax error.
    write("vertical/huge.xml", b"<" * (3 * 1024 * 1024))(course)
    findings = validate_course(course)
    assert [(found.check, found.file, found.line) for found in ours(findings)] == [
        ("file-size", "vertical/huge.xml", 0)]
    assert "3145728 bytes" in ours(findings)[0].message


def test_a_scenario_is_measured_as_the_block_measures_it(course):
    """At the engine's limit the validator passes it; one byte more, both refuse it."""
    def block_text():
        # The block's own reading: the element as text, without tail, measured in UTF-8.
        root = etree.parse(str(course / "vertical" / "unit.xml"), hardened_parser()).getroot()
        scenario = root.find("dps_practice/scenario")
        text = etree.tostring(scenario, encoding="unicode", with_tail=False)
        assert checks_scenarios.scenario_size(scenario) == len(text.encode("utf-8"))
        return text

    one_text = f"<text>{'Chị đã làm xong. ' * 180}</text>"
    room = MAX_SCENARIO_BYTES - len(block_text().encode("utf-8")) - len("<text></text>")
    texts = one_text * (room // len(one_text.encode("utf-8")))
    replace("vertical/unit.xml", DONE_TEXT, DONE_TEXT + texts)(course)
    padding = MAX_SCENARIO_BYTES - len(block_text().encode("utf-8")) - len("<text></text>")
    replace("vertical/unit.xml", DONE_TEXT, f"{DONE_TEXT}<text>{'x' * padding}</text>")(course)
    text = block_text()

    assert len(text.encode("utf-8")) == MAX_SCENARIO_BYTES
    parse_xml_text(text)
    assert validate_course(course) == []

    replace("vertical/unit.xml", "<text>x", "<text>xx")(course)
    with pytest.raises(ScenarioError, match=f"more than the limit of {MAX_SCENARIO_BYTES}"):
        parse_xml_text(block_text())
    assert [(found.check, found.message.split(",")[0]) for found in validate_course(course)] == [
        ("scenario-size", f"the <scenario> is {MAX_SCENARIO_BYTES + 1} bytes")]


@pytest.mark.parametrize("weight", ["0", "0.25", "2", "1e0", " 1.5 "])
def test_a_weight_of_zero_or_more_is_accepted(course, weight):
    replace("vertical/unit.xml", 'weight="1.0"', f'weight="{weight}"')(course)
    assert validate_course(course) == []


def test_deeply_nested_json_does_not_hide_the_other_findings(course):
    write("policies/assets.json", "[" * 2000)(course)
    replace("html/intro.html", ' alt="Sơ đồ các bước đăng ký"', "")(course)
    replace("course/run.xml", ' language="vi"', "")(course)

    findings = ours(validate_course(course))

    assert [(found.check, found.file, found.line) for found in findings] == [
        ("language", "course/run.xml", 1), ("img-alt", "html/intro.html", 3),
        ("json-depth", "policies/assets.json", 1)]


def test_a_crash_reading_the_settings_keeps_the_other_findings(course, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "load_course_settings", explode)
    replace("html/intro.html", ' alt="Sơ đồ các bước đăng ký"', "")(course)

    findings = ours(validate_course(course))

    assert [(found.check, found.file) for found in findings] == [
        ("settings", "course.xml"), ("img-alt", "html/intro.html")]
    assert "unexpected RuntimeError: boom" in findings[0].message


def test_a_file_name_that_is_not_utf8_gives_valid_utf8_reports(course):
    (course / os.fsdecode(b"static/\xff\xfename.png")).write_bytes(b"")
    script = ("import argparse, sys\nfrom dps_xblocks.olx import validation\n"
              "parser = argparse.ArgumentParser()\nvalidation.add_arguments(parser)\n"
              "sys.exit(validation.run(parser.parse_args(sys.argv[1:])))\n")
    # What Python does under the C locale: undecodable bytes are written back as they were.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"}
    as_json = subprocess.run([sys.executable, "-c", script, str(course), "--format", "json"],
                             env=env, capture_output=True, check=False)
    as_text = subprocess.run([sys.executable, "-c", script, str(course)], env=env,
                             capture_output=True, check=False)

    assert (as_json.returncode, as_text.returncode) == (1, 1)
    assert b"Traceback" not in as_json.stderr + as_text.stderr
    report = json.loads(as_json.stdout.decode("utf-8"))
    assert [found["file"] for found in report["findings"]] == ["static/\\xff\\xfename.png"]
    assert as_text.stdout.decode("utf-8").startswith(
        f"{course.as_posix()}/static/\\xff\\xfename.png:0: error: the name ")


def test_control_characters_in_a_file_name_cannot_reach_the_terminal(course):
    found = Finding("error", "static/\x1b[31mred\nx.png", 0, "bad name", "rename it",
                    "static-name")

    text = validation.findings_as_text(course, [found])

    assert text.splitlines()[0] == (f"{course.as_posix()}/static/\\x1b[31mred\\x0ax.png:0: "
                                    "error: bad name (fix: rename it)")
    assert "\x1b" not in text


def test_a_crashing_check_becomes_an_error_naming_the_file(course, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(checks_html, "check_html_tree", explode)
    # Findings worked out for the same file earlier in this process would be used instead.
    monkeypatch.setattr(validation_files, "_remembered", OrderedDict())
    assert run_cli(course) == 1
    output = capsys.readouterr()

    assert "Traceback" not in output.out + output.err
    assert re.search(r"html/intro\.html:0: error: the html check stopped on this file with an "
                     r"unexpected RuntimeError: boom", output.out)


def test_the_text_report_has_one_line_per_finding_and_a_summary(course, capsys):
    replace("html/intro.html", ' alt="Sơ đồ các bước đăng ký"', "")(course)
    replace("about/overview.html", "<h2>", "<h1>")(course)
    replace("about/overview.html", "</h2>", "</h1>")(course)
    assert run_cli(course) == 1
    lines = capsys.readouterr().out.splitlines()

    assert lines[:-1] == [
        f"{course.as_posix()}/about/overview.html:1: warning: an <h1> in a component; the page "
        "already has the course's h1 and the unit's h2 (fix: start the component's headings at "
        "<h2> or <h3>)",
        f"{course.as_posix()}/html/intro.html:3: error: the image '/static/diagram.svg' has no "
        "alt text; a screen reader would read its file name (fix: describe what the image shows"
        ' in alt="...", or write alt="" if it is only decoration)',
    ]
    assert all(TEXT_LINE.match(line) for line in lines[:-1])
    assert lines[-1] == f"1 error, 1 warning in {course.as_posix()}"


def test_the_json_report_matches_the_findings(course, capsys):
    replace("vertical/unit.xml", 'goto="done"', 'goto="finish"')(course)
    assert run_cli(course, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)

    assert report["course"] == course.as_posix()
    assert (report["errors"], report["warnings"]) == (1, 0)
    assert [Finding(**found) for found in report["findings"]] == validate_course(course)


def test_exit_codes_are_0_when_clean_1_on_error_and_2_without_a_folder(course, tmp_path,
                                                                        capsys):
    assert run_cli(course) == 0
    assert capsys.readouterr().out == f"0 errors, 0 warnings in {course.as_posix()}\n"

    replace("about/overview.html", "<h2>Khóa học này dạy gì?</h2>", "<h1>Khóa học?</h1>")(course)
    assert run_cli(course) == 0  # a warning alone does not fail the build

    replace("course/run.xml", ' language="vi"', "")(course)
    assert run_cli(course) == 1

    assert run_cli(tmp_path / "nowhere") == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_terminal_without_unicode_gets_escapes_not_a_traceback(course):
    replace("sequential/seq.xml", 'url_name="note"', 'url_name="ghi_chú"')(course)
    script = ("import argparse, sys\nfrom dps_xblocks.olx import validation\n"
              "parser = argparse.ArgumentParser()\nvalidation.add_arguments(parser)\n"
              "sys.exit(validation.run(parser.parse_args(sys.argv[1:])))\n")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    text = subprocess.run([sys.executable, "-c", script, str(course)], env=env,
                          capture_output=True, text=True, encoding="ascii", check=False)
    as_json = subprocess.run([sys.executable, "-c", script, str(course), "--format", "json"],
                             env=env, capture_output=True, text=True, encoding="ascii",
                             check=False)

    assert (text.returncode, as_json.returncode) == (1, 1)
    assert "Traceback" not in text.stderr + as_json.stderr
    assert "'ghi_ch\\xfa'" in text.stdout
    assert "'ghi_chú'" in json.loads(as_json.stdout)["findings"][0]["message"]


def test_the_dps_olx_dispatcher_runs_validate(monkeypatch, capsys):
    # Only the validate subcommand: the dispatcher imports every subcommand's module.
    monkeypatch.setattr(cli, "COMMANDS", {"validate": cli.COMMANDS["validate"]})
    assert cli.main(["validate", str(SHIPPED_COURSE), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["errors"] == 0


def files_of(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder`, by POSIX path relative to it."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_shipped_course_in_memory_has_no_finding():
    assert validate_files(files_of(SHIPPED_COURSE)) == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_course_in_memory_gets_the_findings_it_gets_on_disk(course, case):
    case.edit(course)

    assert validate_files(files_of(course)) == ours(validate_course(course))


@pytest.mark.parametrize(("name", "why"), [
    ("../escape.xml", "an empty, '.' or '..' part"),
    ("/etc/escape.xml", "is absolute"),
    ("vertical//v.xml", "an empty, '.' or '..' part"),
    ("vertical/./v.xml", "an empty, '.' or '..' part"),
    ("static//z.svg", "an empty, '.' or '..' part"),
    ("vertical/", "an empty, '.' or '..' part"),
    ("vertical/v\0.xml", "a NUL character"),
    (f"static/{'ả' * 128}.svg", "a name longer than 255 bytes"),
    ("static/\ud800.svg", "a lone surrogate"),
])
def test_a_path_no_folder_could_hold_is_refused_in_memory(course, name, why):
    contents = files_of(course)
    contents[name] = b"<vertical/>"

    findings = validate_files(contents)

    assert [(found.check, found.file, found.line) for found in findings] == [
        ("file-type", name, 0)]
    assert why in findings[0].message and "no course folder can hold" in findings[0].message


def test_a_file_that_is_also_a_folder_is_refused_in_memory(course):
    contents = files_of(course)
    contents["static/notes"] = b"ghi chu"
    contents["static/notes/a.txt"] = b"ghi chu"

    findings = validate_files(contents)

    assert [(found.check, found.file) for found in findings] == [("file-type", "static/notes")]
    assert "a file and also the folder of other files" in findings[0].message


@pytest.mark.parametrize("name", ["html/a\\b.html", "vertical/a\\b.xml", "notes\\draft.txt"])
def test_a_backslash_in_a_file_name_is_treated_in_memory_as_on_disk(course, name):
    (course / name).write_bytes(b"<p>\xff<!DOCTYPE x></p>")

    assert validate_files(files_of(course)) == ours(validate_course(course))


def test_lines_are_counted_as_the_xml_parser_counts_them(course):
    # U+2028 and U+0085 end a line for Python's splitlines, not for libxml2 or an editor.
    replace("sequential/seq.xml", '<vertical url_name="unit_two" display_name="Ghi chú">',
            '<vertical\n    display_name="a\u2028b\x85c"\n    url_name="bad name">')(course)

    found = [f for f in validate_files(files_of(course)) if f.check == "url-name"]

    text = (course / "sequential" / "seq.xml").read_text(encoding="utf-8")
    line = text.split("\n").index(next(row for row in text.split("\n") if "bad name" in row))
    assert [(f.file, f.line) for f in found] == [("sequential/seq.xml", line + 1)]


def test_an_oversized_xml_file_in_memory_is_refused_unread(course):
    contents = files_of(course)
    contents["vertical/huge.xml"] = b"<" * (3 * 1024 * 1024)

    findings = validate_files(contents)

    assert [(found.check, found.file, found.line) for found in findings] == [
        ("file-size", "vertical/huge.xml", 0)]


def test_files_with_the_same_bytes_are_each_named_in_their_findings(course):
    page = '<h3>Trang</h3><p><img src="/static/missing.png"></p>\n'
    contents = files_of(course)
    contents["about/overview.html"] = page.encode("utf-8")
    contents["html/intro.html"] = page.encode("utf-8")

    before = validate_files(contents)
    contents["html/intro.html"] = page.replace("<img", '<img alt="Ảnh"').encode("utf-8")
    after = validate_files(contents)

    assert sorted((found.file, found.check) for found in before) == [
        ("about/overview.html", "img-alt"), ("about/overview.html", "static-ref"),
        ("html/intro.html", "img-alt"), ("html/intro.html", "static-ref")]
    assert sorted((found.file, found.check) for found in after) == [
        ("about/overview.html", "img-alt"), ("about/overview.html", "static-ref"),
        ("html/intro.html", "static-ref")]
