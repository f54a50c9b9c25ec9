"""Every practice scenario through the engine's own parser and checks, at its place in its file.

The block reads its `<scenario>` with the same code when the course runs, so a scenario that
passes here is one the block can show; what the grammar cannot see (a `goto` to a missing
screen, an unreachable screen, a persona that contradicts itself) comes from `check_scenario`.
"""

from dps_xblocks.engine.checks import check_scenario
from dps_xblocks.engine.parsing import Problem, ScenarioError, parse_scenario_element

from .checks_structure import Outline
from .validation_findings import Finding, crash_guard, error

PRACTICE_BLOCK = "dps_practice"


def check_scenarios(outline: Outline) -> list[Finding]:
    """Report the problems of every `dps_practice` block's scenario, with file and line."""
    findings: list[Finding] = []
    for block in outline.of_kind(PRACTICE_BLOCK):
        with crash_guard(findings, "scenario", block.source):
            findings += _check_practice(block)
    return findings


def _check_practice(block) -> list[Finding]:
    scenarios = block.element.findall("scenario")
    where = block.element.sourceline or 0
    if len(scenarios) != 1:
        found = "no <scenario>" if not scenarios else f"{len(scenarios)} <scenario> elements"
        name = repr(block.url_name) if block.url_name else "without url_name"
        return [error(block.source, where, f"the {PRACTICE_BLOCK} block {name} has "
                      f"{found}; it needs exactly one", "write the practice inside one "
                      "<scenario>...</scenario> (see docs/scenario-language.md)", "scenario")]

    scenario = scenarios[0]
    try:
        problems = check_scenario(parse_scenario_element(scenario))
    except ScenarioError as failure:
        problems = list(failure.problems)
    top = scenario.sourceline or where
    return [_as_finding(problem, block.source, top) for problem in problems]


def _as_finding(problem: Problem, file: str, top: int) -> Finding:
    # The engine numbers a problem about the whole scenario line 1, meaning its first line;
    # inside a course file that is the line of the <scenario> element.
    line = problem.line if problem.line >= top else top
    return error(file, line, problem.message, problem.fix or "see docs/scenario-language.md",
                 "scenario")
