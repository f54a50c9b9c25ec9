"""Every practice block as the block will read it: its settings, then its scenario.

The block reads its `<scenario>` with the same code when the course runs, so a scenario that
passes here is one the block can show; what the grammar cannot see (a `goto` to a missing
screen, an unreachable screen, a persona that contradicts itself) comes from `check_scenario`.
A scenario over the engine's size limit is refused by the block before it is parsed, so it is
reported alone, like the block would.

The block's own attributes are settings the import converts: `weight` must be a number of 0 or
more (the platform scales the practice's score by it, so `nan`, `inf` or a negative number
gives nonsense grades, and a word stops the import), and `display_name` is the name learners
see in the course outline.
"""

import math

from lxml import etree

from dps_xblocks.engine.checks import check_scenario
from dps_xblocks.engine.parsing import (
    MAX_SCENARIO_BYTES,
    Problem,
    ScenarioError,
    parse_scenario_element,
)

from .checks_structure import Block, Outline
from .validation_files import CourseFiles, remembered
from .validation_findings import Finding, crash_guard, error, warning

PRACTICE_BLOCK = "dps_practice"


def check_scenarios(outline: Outline, files: CourseFiles) -> list[Finding]:
    """Report the problems of every `dps_practice` block's settings and scenario."""
    findings: list[Finding] = []
    for block in outline.of_kind(PRACTICE_BLOCK):
        with crash_guard(findings, "scenario", block.source):
            findings += _check_attributes(block, files)
            findings += remembered(("practice", block.source, block.element),
                                   _check_practice, block)
    return findings


def scenario_size(scenario: etree._Element) -> int:
    """The size in bytes the block gives `scenario` when it checks it against its limit.

    The block serialises the element as text, without its tail, and the engine measures that
    text in UTF-8. The platform's import also drops blank text between elements, so the block
    may measure a little less than this: the check errs on the side of refusing.
    """
    text = etree.tostring(scenario, encoding="unicode", with_tail=False)
    return len(text.encode("utf-8"))


def _check_attributes(block: Block, files: CourseFiles) -> list[Finding]:
    findings = []
    name = repr(block.url_name) if block.url_name else "without url_name"

    weight = block.element.get("weight")
    if weight is not None and not _is_weight(weight):
        line = files.attribute_line(block.source, block.element, "weight")
        findings.append(error(
            block.source, line, f"the {PRACTICE_BLOCK} block {name} has weight={weight!r}; the "
            "weight must be a number of 0 or more, since the platform multiplies the score by it",
            'write a number with a decimal point, such as weight="1.0", or weight="0" for an '
            "ungraded practice", "weight"))

    display_name = block.element.get("display_name")
    where = files.attribute_line(block.source, block.element, "display_name")
    if display_name is None:
        findings.append(warning(
            block.source, where, f"the {PRACTICE_BLOCK} block {name} has no display_name; the "
            "course outline would show the block's default name, the same for every practice",
            'add display_name="..." naming what the learner practises', "display-name"))
    elif not display_name.strip():
        findings.append(error(
            block.source, where, f"the {PRACTICE_BLOCK} block {name} has an empty display_name; "
            "the course outline would show a link without text",
            'write what the learner practises in display_name="..."', "display-name"))
    return findings


def _is_weight(text: str) -> bool:
    """True if the block reads `text` as a finite number of 0 or more."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value >= 0


def _check_practice(block: Block) -> list[Finding]:
    scenarios = block.element.findall("scenario")
    where = block.element.sourceline or 0
    if len(scenarios) != 1:
        found = "no <scenario>" if not scenarios else f"{len(scenarios)} <scenario> elements"
        name = repr(block.url_name) if block.url_name else "without url_name"
        return [error(block.source, where, f"the {PRACTICE_BLOCK} block {name} has "
                      f"{found}; it needs exactly one", "write the practice inside one "
                      "<scenario>...</scenario> (see docs/scenario-language.md)", "scenario")]

    scenario = scenarios[0]
    top = scenario.sourceline or where
    size = scenario_size(scenario)
    if size > MAX_SCENARIO_BYTES:
        return [error(
            block.source, top, f"the <scenario> is {size} bytes, more than the "
            f"{MAX_SCENARIO_BYTES} bytes the block accepts; the block would refuse it",
            "split the practice into several dps_practice blocks, each with a smaller "
            "scenario", "scenario-size")]
    return [_as_finding(problem, block.source, top) for problem in _scenario_problems(scenario)]


def _scenario_problems(scenario) -> tuple:
    try:
        return tuple(check_scenario(parse_scenario_element(scenario)))
    except ScenarioError as failure:
        return failure.problems


def _as_finding(problem: Problem, file: str, top: int) -> Finding:
    # The engine numbers a problem about the whole scenario line 1, meaning its first line;
    # inside a course file that is the line of the <scenario> element.
    line = problem.line if problem.line >= top else top
    return error(file, line, problem.message, problem.fix or "see docs/scenario-language.md",
                 "scenario")
