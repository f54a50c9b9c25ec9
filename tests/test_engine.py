"""The practice engine on its own: parsing, the grammar, the semantic checks and evaluation."""

import pytest
from scenarios import END, FULL, FULL_VALUES, PERSONA, scenario

from dps_xblocks.engine import evaluation, model
from dps_xblocks.engine.checks import check_scenario, fill_persona
from dps_xblocks.engine.parsing import ScenarioError, parse_scenario


def problems_of(text):
    """Every problem found in `text`, grammar and semantic, as strings."""
    try:
        parsed = parse_scenario(text)
    except ScenarioError as error:
        return [str(problem) for problem in error.problems]
    return [str(problem) for problem in check_scenario(parsed)]


def test_a_sound_scenario_parses_into_the_model_with_no_problem():
    parsed = parse_scenario(FULL)
    assert [screen.id for screen in parsed.screens] == ["one", "trap", "two", "three", "end"]
    assert parsed.persona == model.Persona("Phạm Thị Thu", "001185004321", "female", 1985,
                                           "0912345678", "Số 5 phố Thử, Phường Láng, Hà Nội")
    assert parsed.screen("one").scored and parsed.screen("two").scored
    assert not parsed.screen("three").scored
    assert [field.kind for field in parsed.screen("two").form.fields][:3] == [
        "id-number", "phone", "otp"]
    assert check_scenario(parsed) == []


def test_persona_placeholders_are_filled_in():
    parsed = parse_scenario(FULL)
    assert fill_persona("Chào {persona.name}, {persona.birth-year}", parsed.persona) == (
        "Chào Phạm Thị Thu, 1985")


@pytest.mark.parametrize("text, expected", [
    (scenario('<screen id="one" title="A"><hint>h</hint><actions>'
              '<action id="a" goto="nowhere">A</action></actions></screen>' + END),
     "screen 'one' leads to 'nowhere', which does not exist"),
    (scenario('<screen id="one" title="A"><hint>h</hint><actions>'
              '<action id="a" goto="end">A</action></actions></screen>'
              '<screen id="lost" title="B"><hint>h</hint><actions>'
              '<action id="a" goto="end">A</action></actions></screen>' + END),
     "screen 'lost' cannot be reached from 'one'"),
    (scenario('<screen id="one" title="A"><hint>h</hint></screen>' + END),
     "screen 'one' has no task"),
    (scenario('<screen id="one" title="A"><hint>h</hint><actions>'
              '<action id="a">A</action></actions></screen>' + END),
     "the correct action 'a' of screen 'one' leads nowhere"),
    (scenario(END, start="missing"), "start='missing' names no screen"),
    (scenario(END, start="end", persona=PERSONA.replace('sex="female"', 'sex="male"')),
     "the persona's ID number 001185004321"),
    (scenario('<screen id="one" title="A"><hint>h</hint><form submit="s" goto="end">'
              '<field id="o" kind="otp" label="OTP" expect="12ab"/></form></screen>' + END),
     "expects '12ab', which is not a valid otp"),
    (scenario('<screen id="one" title="A"><hint>h</hint><form submit="s" goto="end">'
              '<field id="p" kind="password" label="P" same-as="nope"/></form></screen>' + END),
     "same-as='nope' on field 'p' of screen 'one' names no other field"),
    (scenario('<screen id="one" title="A"><text>{persona.salary}</text><hint>h</hint><actions>'
              '<action id="a" goto="end">A</action></actions></screen>' + END),
     "names an unknown detail {persona.salary}"),
])
def test_semantic_problems_are_reported_with_a_specific_message(text, expected):
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


@pytest.mark.parametrize("text, expected", [
    (scenario('<screen id="one" title="A"><video/><hint>h</hint></screen>'), "video"),
    (scenario('<screen id="one" title="A"><actions><action id="a" goto="one">A</action>'
              '</actions></screen>'), "hint"),
    (scenario('<screen id="bad id" title="A" end="true"><hint>h</hint></screen>', start="x"),
     "id"),
])
def test_the_grammar_refuses_unknown_or_missing_elements_with_a_line(text, expected):
    problems = problems_of(text)
    assert problems and all(problem.startswith("line 1:") for problem in problems)
    assert any(expected in problem for problem in problems), problems


def test_entity_declarations_are_refused_without_expansion():
    bomb = ('<?xml version="1.0"?><!DOCTYPE scenario [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + FULL.replace("Thử", "&b;", 1))
    with pytest.raises(ScenarioError, match="DOCTYPE or entities"):
        parse_scenario(bomb)


def test_external_entities_are_never_read():
    text = ('<!DOCTYPE scenario [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + FULL.replace("Thử", "&x;", 1))
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text)
    assert "root:" not in str(error.value)


def test_oversized_scenarios_are_refused_before_parsing():
    with pytest.raises(ScenarioError, match="more than the limit"):
        parse_scenario("<scenario>" + " " * 300_000 + "</scenario>")


def test_malformed_xml_names_the_line():
    with pytest.raises(ScenarioError, match="line 2: the XML does not parse"):
        parse_scenario("<scenario>\n<screen></scenario>")


@pytest.fixture(name="full")
def full_scenario():
    return parse_scenario(FULL)


def walk(parsed, progress, *steps):
    """Apply actions (strings) and form submissions (dicts) in turn; return the last outcome."""
    outcome = None
    for step in steps:
        screen = parsed.screen(progress.screen)
        if isinstance(step, str):
            outcome = evaluation.choose_action(parsed, progress, screen.action(step))
        else:
            outcome = evaluation.submit_form(parsed, progress, step)
        progress = outcome.progress
    return outcome


def test_a_learner_who_does_everything_right_gets_full_marks(full):
    outcome = walk(full, evaluation.start(full), "next", FULL_VALUES, "next")
    assert outcome.just_finished and outcome.progress.finished
    assert outcome.progress.screen == "end"
    assert outcome.progress.best_score == 1.0
    assert outcome.progress.done == ("one", "two", "three")


def test_each_mistake_costs_half_a_screen(full):
    outcome = walk(full, evaluation.start(full), "wrong", "next",
                   {**FULL_VALUES, "otp": "654321"}, {**FULL_VALUES, "otp": "1"}, FULL_VALUES,
                   "next")
    assert outcome.progress.mistakes == (("one", 1), ("two", 2))
    assert outcome.progress.best_score == pytest.approx((0.5 + 0.0) / 2)


def test_a_wrong_action_without_goto_keeps_the_learner_on_the_screen(full):
    outcome = walk(full, evaluation.start(full), "wrong")
    assert not outcome.correct
    assert outcome.feedback == ("Không phải nút này.",)
    assert outcome.progress.screen == "one" and outcome.progress.revision == 1


def test_a_wrong_action_with_goto_shows_its_consequence_and_leads_back(full):
    outcome = walk(full, evaluation.start(full), "trap")
    assert outcome.progress.screen == "trap" and outcome.progress.mistakes == (("one", 1),)
    outcome = walk(full, outcome.progress, "back")
    assert outcome.progress.screen == "one" and "one" not in outcome.progress.done


def test_form_errors_name_each_wrong_field_and_keep_the_screen(full):
    two = walk(full, evaluation.start(full), "next").progress
    outcome = evaluation.submit_form(full, two, {
        **FULL_VALUES, "pw": "short", "pw2": "other", "q2": "a", "city": "Huế", "pass": "12"})
    errors = {field: [message.render() for message in messages]
              for field, messages in outcome.field_errors}
    assert set(errors) == {"pw", "pw2", "q2", "city", "pass"}
    assert errors["q2"] == ["Choose something different from the one above."]
    assert outcome.progress.screen == "two" and outcome.progress.mistakes == (("two", 1),)


def test_someone_elses_wellformed_id_number_triggers_the_privacy_warning(full):
    two = walk(full, evaluation.start(full), "next").progress
    outcome = evaluation.submit_form(full, two, {**FULL_VALUES, "id": "079090123456"})
    assert outcome.privacy_warning and not outcome.correct
    assert "079090123456" not in repr(outcome.progress.to_dict())


def test_a_malformed_id_number_is_not_taken_for_real_data(full):
    two = walk(full, evaluation.start(full), "next").progress
    outcome = evaluation.submit_form(full, two, {**FULL_VALUES, "id": "12345"})
    assert not outcome.privacy_warning and not outcome.correct


def test_missing_required_fields_are_named_and_optional_ones_are_not(full):
    two = walk(full, evaluation.start(full), "next").progress
    outcome = evaluation.submit_form(full, two, {})
    names = {field for field, _ in outcome.field_errors}
    assert "mail" not in names and {"id", "phone", "otp", "city"} <= names


def test_restart_goes_back_to_start_and_keeps_the_best_score(full):
    finished = walk(full, evaluation.start(full), "next", FULL_VALUES, "next").progress
    again = evaluation.restart(full, finished)
    assert again.screen == "one" and again.best_score == 1.0 and not again.finished
    assert again.done == () and again.revision == finished.revision + 1
    worse = walk(full, again, "wrong", "next", FULL_VALUES, "next").progress
    assert worse.best_score == 1.0


def test_progress_survives_a_round_trip_through_its_stored_form(full):
    progress = walk(full, evaluation.start(full), "wrong", "next").progress
    assert evaluation.Progress.from_dict(progress.to_dict(), full) == progress


@pytest.mark.parametrize("stored", [
    {"screen": "one"}, {"screen": 3, "revision": "x"}, [], {"screen": "gone", "revision": 4,
                                                           "done": [], "mistakes": {},
                                                           "hints": [], "finished": False,
                                                           "best_score": 0.5}])
def test_damaged_or_outdated_progress_restarts_cleanly(full, stored):
    progress = evaluation.Progress.from_dict(stored, full)
    assert progress.screen == "one"
    if isinstance(stored, dict) and stored.get("best_score"):
        assert progress.best_score == 0.5


def test_hints_are_recorded_once_and_cost_nothing(full):
    progress = evaluation.take_hint(evaluation.start(full))
    assert evaluation.take_hint(progress) == progress
    assert walk(full, progress, "next", FULL_VALUES, "next").progress.best_score == 1.0


@pytest.mark.parametrize("text, expected", [
    (scenario('<screen id="one" title="A"><hint>h</hint><form submit="s" goto="end">'
              '<field id="t" kind="text" label="{persona.bogus}"/></form></screen>' + END),
     "unknown detail {persona.bogus}"),
    (scenario('<screen id="one" title="A"><hint>h</hint><actions>'
              '<action id="a" goto="end">A</action>'
              '<action id="b" correct="false" goto="end">B</action></actions></screen>' + END),
     "a mistake would finish the practice"),
])
def test_placeholders_everywhere_and_mistakes_that_finish_are_found(text, expected):
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


def test_unknown_placeholders_are_left_as_written():
    persona = parse_scenario(FULL).persona
    assert fill_persona("{persona.value} {persona.__class__} {persona.name}", persona) == (
        "{persona.value} {persona.__class__} Phạm Thị Thu")


def test_a_long_chain_of_screens_is_checked_whole():
    chain = "".join(f'<screen id="s{n}" title="S"><hint>h</hint><actions>'
                    f'<action id="a" goto="s{n + 1}">A</action></actions></screen>'
                    for n in range(2000))
    text = scenario(chain.replace('goto="s2000"', 'goto="end"') + END, start="s0")
    assert problems_of(text) == []
    broken = text.replace('goto="s1500"', 'goto="s1400"')
    assert any("from screen 's1499' no path leads to an end screen" in problem
               for problem in problems_of(broken))


def form_errors(full, values):
    two = walk(full, evaluation.start(full), "next").progress
    outcome = evaluation.submit_form(full, two, {**FULL_VALUES, **values})
    return outcome, {field: [m if isinstance(m, str) else m.render() for m in messages]
                     for field, messages in outcome.field_errors}


@pytest.mark.parametrize("passcode", ["123456", "654321", "000000", "345678"])
def test_easily_guessed_passcodes_are_refused(full, passcode):
    _, errors = form_errors(full, {"pass": passcode})
    assert "easy to guess" in errors["pass"][0]


@pytest.mark.parametrize("field, value", [
    ("pw", "Thu@Pham99x"), ("pw", "Matkhau@1985"), ("pw", "Ab@912345678"), ("pass", "198512"),
])
def test_passwords_and_passcodes_built_from_the_persona_are_refused(full, field, value):
    values = {field: value, "pw2": value} if field == "pw" else {field: value}
    _, errors = form_errors(full, values)
    assert list(errors) == [field] and "year of birth" in errors[field][0]


def test_a_confirmation_field_does_not_repeat_the_strength_errors(full):
    _, errors = form_errors(full, {"pw": "hoa12345", "pw2": "hoa12345"})
    assert list(errors) == ["pw"]


def test_an_unchosen_list_asks_to_choose_not_to_fill_in(full):
    _, errors = form_errors(full, {"q1": ""})
    assert errors["q1"] == ["Please choose “Câu 1”."]


def test_an_email_other_than_the_personas_is_accepted_with_a_reminder():
    text = FULL.replace('address="Số 5 phố Thử, Phường Láng, Hà Nội"',
                        'address="Số 5 phố Thử, Phường Láng, Hà Nội" email="thu@example.com"')
    parsed = parse_scenario(text)
    two = walk(parsed, evaluation.start(parsed), "next").progress
    outcome = evaluation.submit_form(parsed, two, {**FULL_VALUES, "mail": "nam1970@gmail.com"})
    assert outcome.correct and outcome.privacy_fields == ("mail",)
    outcome = evaluation.submit_form(parsed, two, {**FULL_VALUES, "mail": "thu@example.com"})
    assert outcome.correct and not outcome.privacy_warning


@pytest.mark.parametrize("change, expected", [
    (('kind="otp"', 'kind="otpp"'), "kind='otpp' is not allowed on <field>"),
    (("<text>", "<txt>"), "<txt> is not an element of the scenario language"),
    (('id="one"', 'id="một"'), "id='một' on <screen> is not an id"),
    (('correct="false"', 'correct="no"'), "correct='no' is not allowed on <action>"),
])
def test_grammar_mistakes_name_the_attribute_and_its_value(change, expected):
    text = FULL.replace(*change, 1) if change[0] != "<text>" else FULL.replace(
        "<text>", "<txt>").replace("</text>", "</txt>")
    problems = problems_of(text)
    assert any(expected in problem for problem in problems), problems
    assert not any("failed to validate" in problem for problem in problems), problems
