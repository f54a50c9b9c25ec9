"""The elements of the citizen journey: catalogue search, sample files, dossier codes, and the
display elements of paying, tracking and receiving, in the engine and in the block."""

import re

import pytest
from runtime import RecordingRuntime, call
from scenarios import JOURNEY

from dps_xblocks.engine import evaluation, model
from dps_xblocks.engine.checks import check_scenario, dossier_code
from dps_xblocks.engine.parsing import parse_scenario

DOSSIER_SHAPE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.H26-\d{6}-\d{4}$")


@pytest.fixture(name="journey")
def journey_scenario():
    return parse_scenario(JOURNEY)


def test_the_journey_elements_parse_into_the_model(journey):
    assert check_scenario(journey) == []
    assert journey.procedure("birth").documents == ("Giấy chứng sinh",)
    assert journey.screen("one").search == model.Search("Tìm thủ tục", "Tìm", "two", "birth")
    kinds = [type(item).__name__ for item in journey.screen("three").content]
    assert kinds == ["Timeline", "Payment", "Document", "Call", "Chat"]
    assert journey.screen("two").form.fields[0].file("to_khai_mo.jpg").problem


def test_dossier_codes_have_the_real_shape_and_are_stable_per_learner(journey):
    code = dossier_code(journey.dossier, "learner-1")
    assert DOSSIER_SHAPE.match(code) and code.startswith("000.00.21.H26-260615-")
    assert dossier_code(journey.dossier, "learner-1") == code
    others = {dossier_code(journey.dossier, f"learner-{n}") for n in range(2, 40)}
    assert code not in others and len(others) > 30


def test_the_same_story_gives_the_same_code_in_another_practice(journey):
    other = model.Dossier("000.00.21.H26", "2026-06-15", "test")
    assert dossier_code(other, "learner-1") == dossier_code(journey.dossier, "learner-1")
    assert dossier_code(model.Dossier("000.00.21.H26", "2026-06-15", "other"), "learner-1") != (
        dossier_code(journey.dossier, "learner-1"))


def test_opening_the_right_procedure_moves_on_and_another_explains_itself(journey):
    start = evaluation.start(journey)
    wrong = evaluation.open_procedure(journey, start, "marry")
    assert not wrong.correct and wrong.progress.screen == "one"
    assert "Đăng ký kết hôn" in wrong.feedback[0].render()
    right = evaluation.open_procedure(journey, wrong.progress, "birth")
    assert right.correct and right.progress.screen == "two"


@pytest.mark.parametrize("values, field, message", [
    ({"doc": "to_khai_mo.jpg"}, "doc", "Ảnh bị mờ, không đọc được."),
    ({"doc": "giay_khac.pdf"}, "doc", "not the document asked for"),
    ({"doc": "virus.exe"}, "doc", "choose one of the files"),
    ({"code": "000.00.21.H26-260615-0000"}, "code", "not your dossier code"),
    ({"code": "123"}, "code", "has 25 characters"),
])
def test_wrong_files_and_codes_get_their_specific_reason(journey, values, field, message):
    two = evaluation.open_procedure(journey, evaluation.start(journey), "birth").progress
    code = dossier_code(journey.dossier, "learner-1")
    full = {"doc": "to_khai.pdf", "code": code, **values}
    if values.get("code") == "000.00.21.H26-260615-0000" and code.endswith("0000"):
        pytest.skip("the learner's own code happens to end in 0000")
    outcome = evaluation.submit_form(journey, two, full, dossier_code=code)
    errors = {key: [str(m) if isinstance(m, str) else m.render() for m in messages]
              for key, messages in outcome.field_errors}
    assert list(errors) == [field] and message in errors[field][0]


def test_the_dossier_code_may_be_typed_with_spaces_and_lower_case(journey):
    two = evaluation.open_procedure(journey, evaluation.start(journey), "birth").progress
    code = dossier_code(journey.dossier, "learner-1")
    outcome = evaluation.submit_form(journey, two, {"doc": "to_khai.pdf",
                                                    "code": " " + code.lower() + " "}, code)
    assert outcome.correct and outcome.progress.screen == "three"


@pytest.mark.parametrize("change, expected", [
    (('expect="birth"/>', 'expect="nothing"/>'), "names the procedure 'nothing'"),
    (('<procedure-card ref="birth"/>', '<procedure-card ref="gone"/>'), "procedure 'gone'"),
    (('expect="to_khai.pdf"', 'expect="to_khai_mo.jpg"'), "not a valid file"),
    (('<dossier agency="000.00.21.H26" date="2026-06-15" story="test"/>', ""),
     "has no <dossier>"),
])
def test_catalogue_file_and_dossier_mistakes_are_found(change, expected):
    text = JOURNEY.replace(*change)
    try:
        problems = [str(problem) for problem in check_scenario(parse_scenario(text))]
    except Exception as error:  # the grammar may refuse it first
        problems = [str(error)]
    assert any(expected in problem for problem in problems), problems


def test_a_bad_dossier_agency_code_is_refused_by_the_grammar():
    with pytest.raises(ValueError, match="dossier"):
        parse_scenario(JOURNEY.replace("000.00.21.H26", "000.00.21.H27"))


@pytest.fixture(name="block")
def journey_block():
    runtime = RecordingRuntime(user_id="learner-1")
    return runtime.get_block(runtime.parse_xml_string(
        f'<dps_practice url_name="j">{JOURNEY}</dps_practice>'))


def test_the_block_searches_then_opens_the_procedure(block):
    status, body = call(block, "search", {"revision": 0, "screen": "one", "query": "khai sinh"})
    assert status == 200 and body["results"][0] == "birth"
    assert 'data-procedure="birth"' in body["html"]
    status, body = call(block, "search", {"revision": 0, "screen": "one", "query": "qwxz"})
    assert body["results"] == [] and "No procedure matches" in body["html"]
    status, body = call(block, "submit", {"revision": 0, "screen": "one", "procedure": "birth"})
    assert status == 200 and body["screen"] == "two"
    assert dossier_code(block.parsed.dossier, "learner-1") in body["html"]


@pytest.mark.parametrize("handler, body, status", [
    ("search", {"revision": 0, "screen": "one", "query": 3}, 400),
    ("search", {"revision": 0, "screen": "one"}, 400),
    ("search", {"revision": 2, "screen": "one", "query": "x"}, 409),
    ("submit", {"revision": 0, "screen": "one", "procedure": "nope"}, 400),
    ("submit", {"revision": 0, "screen": "one", "procedure": ["birth"]}, 400),
])
def test_bad_search_requests_change_nothing(block, handler, body, status):
    before = dict(block.progress)
    assert call(block, handler, body)[0] == status
    assert dict(block.progress) == before


def test_the_learner_types_their_own_dossier_code_through_the_block(block):
    call(block, "submit", {"revision": 0, "screen": "one", "procedure": "birth"})
    code = dossier_code(block.parsed.dossier, "learner-1")
    status, body = call(block, "submit", {"revision": 1, "screen": "two",
                                          "values": {"doc": "to_khai.pdf", "code": code}})
    assert status == 200 and body["screen"] == "three"
    html = block.render("student_view", {}).body_html()
    assert "200.000 đ" in html and "NOT valid" in html and "(now" in html


@pytest.mark.parametrize("date", ["2026-06-15Z", "2026-06-15-05:00", "-2026-06-15", "2026-13-01"])
def test_a_dossier_date_must_be_a_plain_calendar_date(date):
    with pytest.raises(ValueError, match="dossier"):
        parse_scenario(JOURNEY.replace('date="2026-06-15"', f'date="{date}"'))


def test_an_empty_search_asks_for_words(block):
    status, body = call(block, "search", {"revision": 0, "screen": "one", "query": "   "})
    assert status == 200 and body["results"] == [] and "Type a few words" in body["html"]
