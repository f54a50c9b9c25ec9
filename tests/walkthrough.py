"""The right answers to a scenario, worked out from the scenario itself.

Browser tests and benchmarks walk a practice the way a careful learner would; deriving the walk
from the OLX means a new or edited scenario is covered without writing its answers twice.
"""

from dataclasses import dataclass

from dps_xblocks.engine import model
from dps_xblocks.engine.checks import dossier_code, resolve_expected

# Values a learner would invent where the scenario lets them choose.
CHOSEN = {"password": "Canh-Dieu7Bay", "passcode": "246810", "text": "Hoa sen", "email": ""}


@dataclass(frozen=True)
class Step:
    """One screen of the walk: the button to press, the values to type, or the search to make
    and the procedure to open."""

    screen: str
    action: str = ""
    values: tuple[tuple[str, str], ...] = ()
    query: str = ""
    procedure: str = ""


def correct_walk(scenario: model.Scenario, learner: str = "learner") -> list[Step]:
    """The steps from the start to an end screen, taking the first correct way each time.

    `learner` is the learner id the block sees: the dossier code a learner types depends on it.
    """
    steps, current = [], scenario.screen(scenario.start)
    while not current.end:
        if current.form is not None:
            values = tuple(form_values(scenario, current.form, learner))
            steps.append(Step(current.id, values=values))
            current = scenario.screen(current.form.goto)
        elif current.search is not None:
            procedure = scenario.procedure(current.search.expect)
            steps.append(Step(current.id, query=procedure.name, procedure=procedure.id))
            current = scenario.screen(current.search.goto)
        else:
            action = next(action for action in current.actions if action.correct)
            steps.append(Step(current.id, action=action.id))
            current = scenario.screen(action.goto)
        if len(steps) > len(scenario.screens):
            raise ValueError(f"the correct path of {scenario.title!r} loops")
    return steps


def form_values(scenario: model.Scenario, form: model.Form, learner: str = "learner"):
    """A correct value for every field of `form`."""
    chosen = {}
    for form_field in form.fields:
        if form_field.kind == "dossier-code":
            value = dossier_code(scenario.dossier, learner)
        elif form_field.expect:
            value = resolve_expected(form_field.expect, scenario.persona)
        elif form_field.kind == "select":
            taken = chosen.get(form_field.differs_from)
            value = next(option.value for option in form_field.options if option.value != taken)
        elif form_field.kind == "file":
            value = next(sample.name for sample in form_field.files if not sample.problem)
        elif form_field.optional:
            value = ""
        else:
            value = CHOSEN[form_field.kind]
        chosen[form_field.id] = value
        yield form_field.id, value
