"""What the grammar cannot check: targets, reachability, and a persona that agrees with itself.

A scenario that passes the grammar can still trap a learner (a screen with no way out), lead
nowhere (a `goto` to a missing screen) or teach a wrong fact (a persona whose ID number does not
match her year of birth). These checks find such problems before any learner does.
"""

import hashlib
import re

from . import formats, model
from .parsing import Problem

PERSONA_PLACEHOLDER = re.compile(r"\{persona\.([a-z-]+)\}")
PERSONA_REFERENCE = "persona."
DOSSIER_PLACEHOLDER = "{dossier-code}"


def check_scenario(scenario: model.Scenario) -> list[Problem]:
    """Return every semantic problem of `scenario`, in source order; empty when it is sound."""
    problems = []
    problems += _persona_problems(scenario)
    problems += _identity_problems(scenario)
    problems += _task_problems(scenario)
    problems += _target_problems(scenario)
    problems += _catalogue_problems(scenario)
    if not problems:
        # Reachability only means something once every target exists.
        problems += _reachability_problems(scenario)
    return sorted(problems, key=lambda problem: problem.line)


def resolve_expected(value: str, persona: model.Persona) -> str:
    """Turn an `expect` attribute into the value it names: a literal or a persona detail."""
    if value.startswith(PERSONA_REFERENCE):
        return persona.value(value[len(PERSONA_REFERENCE):])
    return value


def fill_persona(text: str, persona: model.Persona, dossier_code: str = "") -> str:
    """Replace `{persona.name}` and the like, and `{dossier-code}`, in scenario text."""
    if dossier_code:
        text = text.replace(DOSSIER_PLACEHOLDER, dossier_code)
    # Only the persona's own details are filled in; anything else in braces stays as written.
    return PERSONA_PLACEHOLDER.sub(
        lambda match: persona.value(match.group(1))
        if match.group(1) in model.PERSONA_KEYS else match.group(0), text)


def dossier_code(dossier: model.Dossier, learner: str) -> str:
    """The learner's dossier code (mã hồ sơ), `AAA.BB.CC.H26-YYMMDD-NNNN`.

    The sequence number comes from a hash of the story and the learner, so the same learner
    always gets the same code in every practice of the story, and other learners other codes.
    """
    digest = hashlib.sha256(f"{dossier.story}|{learner}".encode()).digest()
    sequence = int.from_bytes(digest[:4], "big") % 10_000
    year, month, day = dossier.date.split("-")
    return f"{dossier.agency}-{year[2:]}{month}{day}-{sequence:04d}"


def _persona_problems(scenario):
    persona = scenario.persona
    line = scenario.screens[0].line - 1 if scenario.screens else 1
    problems = [
        Problem(line, f"the persona's ID number {persona.id_number}: {message.render()}",
                "make digits 1-3 a province code, digit 4 the century and sex digit, "
                "digits 5-6 the last two digits of the year of birth")
        for message in formats.check_id_number(
            persona.id_number, sex=persona.sex, birth_year=persona.birth_year)
    ]
    if formats.normalize_phone(persona.phone) is None:
        problems.append(Problem(
            line, f"the persona's phone number {persona.phone!r} is not a Vietnamese mobile number",
            "write 10 digits starting with 03, 05, 07, 08 or 09"))
    if persona.email and formats.check_email(persona.email):
        problems.append(Problem(
            line, f"the persona's e-mail {persona.email!r} is not an e-mail address",
            "write something like name@example.com"))
    return problems


def _identity_problems(scenario):
    problems, seen = [], set()
    for screen in scenario.screens:
        if screen.id in seen:
            problems.append(Problem(screen.line, f"the screen id {screen.id!r} is used twice",
                                    "give every screen its own id"))
        seen.add(screen.id)
        names = [action.id for action in screen.actions]
        if screen.form is not None:
            names += [field.id for field in screen.form.fields]
        for name in sorted({name for name in names if names.count(name) > 1}):
            problems.append(Problem(
                screen.line, f"screen {screen.id!r} uses the id {name!r} more than once",
                "give every action and field of a screen its own id"))
        for text in _screen_texts(screen):
            if DOSSIER_PLACEHOLDER in text and scenario.dossier is None:
                problems.append(Problem(
                    screen.line, f"screen {screen.id!r} shows {{dossier-code}} but the scenario "
                    "has no <dossier>", "add <dossier agency=... date=... story=.../> after "
                    "<persona>"))
            for key in PERSONA_PLACEHOLDER.findall(text):
                if key not in model.PERSONA_KEYS:
                    problems.append(Problem(
                        screen.line, f"screen {screen.id!r} names an unknown detail "
                        f"{{persona.{key}}}", f"use one of {', '.join(model.PERSONA_KEYS)}"))
    return problems


def _screen_texts(screen):
    """Every piece of author text on a screen that is shown with placeholders filled in."""
    yield screen.title
    yield screen.hint
    for item in screen.content:
        match item:
            case model.Data(items):
                yield from (text for entry in items for text in (entry.label, entry.value))
            case model.Document(title, signer, _signature, items):
                yield from (title, signer)
                yield from (text for entry in items for text in (entry.label, entry.value))
            case model.Timeline(entries):
                yield from (text for entry in entries for text in (entry.label, entry.date))
            case model.Payment(_amount, payee, reference):
                yield from (payee, reference)
            case model.Call(caller, _number, text):
                yield from (caller, text)
            case model.Chat(_app, sender, text):
                yield from (sender, text)
            case model.Image(_src, alt):
                yield alt
            case _ if hasattr(item, "text"):
                yield item.text
    for action in screen.actions:
        yield action.label
        yield action.feedback
    if screen.form is not None:
        yield screen.form.submit
        for form_field in screen.form.fields:
            yield from (form_field.label, form_field.help)
            yield from (option.label for option in form_field.options)
            yield from (sample.problem for sample in form_field.files)
    if screen.search is not None:
        yield from (screen.search.label, screen.search.submit)


def _task_problems(scenario):
    problems = []
    for screen in scenario.screens:
        has_task = screen.has_task
        if screen.end and has_task:
            problems.append(Problem(screen.line, f"the end screen {screen.id!r} has a task",
                                    "remove the task, or remove end=\"true\""))
        if not screen.end and not has_task:
            problems.append(Problem(
                screen.line, f"screen {screen.id!r} has no task, so the learner cannot leave it",
                "add <actions> or a <form>, or mark it end=\"true\""))
        for action in screen.actions:
            if action.correct and not action.goto:
                problems.append(Problem(
                    screen.line, f"the correct action {action.id!r} of screen {screen.id!r} "
                    "leads nowhere", "add goto=\"<screen id>\", or mark it correct=\"false\""))
        for action in screen.actions:
            target = scenario.screen(action.goto) if action.goto else None
            if not action.correct and target is not None and target.end:
                problems.append(Problem(
                    screen.line, f"the wrong action {action.id!r} of screen {screen.id!r} leads "
                    f"to the end screen {target.id!r}, so a mistake would finish the practice",
                    "lead it to a screen that explains the mistake and leads back"))
        if screen.actions and not any(action.correct for action in screen.actions):
            problems.append(Problem(
                screen.line, f"screen {screen.id!r} has no correct action",
                "mark at least one action correct"))
        if screen.form is not None:
            problems += _form_problems(scenario, screen)
    return problems


def _form_problems(scenario, screen):
    problems = []
    field_ids = {field.id for field in screen.form.fields}
    for field in screen.form.fields:
        where = f"field {field.id!r} of screen {screen.id!r}"
        for attribute, other in (("same-as", field.same_as), ("differs-from", field.differs_from)):
            if other and (other not in field_ids or other == field.id):
                problems.append(Problem(
                    screen.line, f"{attribute}={other!r} on {where} names no other field",
                    f"use one of {', '.join(sorted(field_ids - {field.id}))}"))
        if field.kind in ("select", "file") and field.same_as:
            problems.append(Problem(screen.line, f"same-as on the {field.kind} {where} makes "
                                    "no sense", "remove it"))
        if field.kind == "dossier-code" and scenario.dossier is None:
            problems.append(Problem(screen.line, f"{where} asks for the dossier code but the "
                                    "scenario has no <dossier>",
                                    "add <dossier agency=... date=... story=.../>"))
        if field.kind == "file" and not any(not sample.problem for sample in field.files):
            problems.append(Problem(screen.line, f"every sample file of {where} has a problem",
                                    "offer at least one file the agency would accept"))
        if field.expect:
            problems += _expect_problems(scenario.persona, screen, field, where)
    return problems


def _expect_problems(persona, screen, field, where):
    if field.expect.startswith(PERSONA_REFERENCE):
        key = field.expect[len(PERSONA_REFERENCE):]
        if key not in model.PERSONA_KEYS:
            return [Problem(screen.line, f"expect={field.expect!r} on {where} names no persona "
                            "detail", f"use persona.{' or persona.'.join(model.PERSONA_KEYS)}")]
    expected = resolve_expected(field.expect, persona)
    match field.kind:
        case "id-number":
            wrong = bool(formats.check_id_number(expected))
        case "phone":
            wrong = formats.normalize_phone(expected) is None
        case "otp":
            wrong = bool(formats.check_otp(expected))
        case "email":
            wrong = bool(formats.check_email(expected))
        case "select":
            wrong = expected not in {option.value for option in field.options}
        case "file":
            sample = field.file(expected)
            wrong = sample is None or bool(sample.problem)
        case "password" | "passcode":
            return [Problem(screen.line, f"{where} expects a fixed {field.kind}",
                            "let the learner choose it: remove expect")]
        case _:
            wrong = False
    if wrong:
        return [Problem(screen.line, f"{where} expects {expected!r}, which is not a valid "
                        f"{field.kind}", "write a value the field itself would accept")]
    return []


def _catalogue_problems(scenario):
    problems, seen = [], set()
    for procedure in scenario.procedures:
        if procedure.id in seen:
            problems.append(Problem(1, f"the procedure id {procedure.id!r} is used twice",
                                    "give every procedure its own id"))
        seen.add(procedure.id)
    for screen in scenario.screens:
        refs = [item.ref for item in screen.content if isinstance(item, model.ProcedureCard)]
        if screen.search is not None:
            refs.append(screen.search.expect)
        for ref in refs:
            if scenario.procedure(ref) is None:
                problems.append(Problem(
                    screen.line, f"screen {screen.id!r} names the procedure {ref!r}, which is "
                    "not in the <catalogue>", "add it to the catalogue or correct the id"))
    return problems


def _target_problems(scenario):
    problems = []
    if scenario.screen(scenario.start) is None:
        problems.append(Problem(
            1, f"start={scenario.start!r} names no screen",
            f"use one of {', '.join(screen.id for screen in scenario.screens)}"))
    for screen in scenario.screens:
        for target in screen.targets():
            if scenario.screen(target) is None:
                problems.append(Problem(
                    screen.line, f"screen {screen.id!r} leads to {target!r}, which does not exist",
                    "add that screen or correct the goto"))
    return problems


def _reachability_problems(scenario):
    reachable = _reach(scenario.start, scenario)
    problems = [
        Problem(screen.line, f"screen {screen.id!r} cannot be reached from {scenario.start!r}",
                "add a goto that leads to it, or remove it")
        for screen in scenario.screens if screen.id not in reachable
    ]
    ends = {screen.id for screen in scenario.screens if screen.end}
    if not ends:
        return [*problems, Problem(1, "no screen is marked end=\"true\", so the practice never "
                                   "finishes", "mark the last screen end=\"true\"")]
    finishing = _reaching(ends, scenario)
    for screen in scenario.screens:
        if screen.id in reachable and screen.id not in finishing:
            problems.append(Problem(
                screen.line, f"from screen {screen.id!r} no path leads to an end screen",
                "add a goto toward the rest of the practice"))
    return problems


def _reaching(targets, scenario):
    """The ids of the screens from which one of `targets` can be reached: one walk backwards
    over the gotos, so the check stays linear in the size of the scenario."""
    sources = {}
    for screen in scenario.screens:
        for target in screen.targets():
            sources.setdefault(target, []).append(screen.id)
    seen, pending = set(), list(targets)
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(sources.get(current, ()))
    return seen


def _reach(origin, scenario):
    """The ids of the screens reachable from `origin`, itself included."""
    seen, pending = set(), [origin]
    while pending:
        current = pending.pop()
        if current in seen or scenario.screen(current) is None:
            continue
        seen.add(current)
        pending.extend(scenario.screen(current).targets())
    return seen
