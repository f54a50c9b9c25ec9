"""Deciding what a learner's action does: the step-by-step evaluator and the score.

Everything that affects the grade happens here, on the server, from the learner's own actions.
`Progress` is the only learner state, and it holds no value the learner typed: only where the
learner is, which screens are done and how many mistakes each took.
"""

from dataclasses import dataclass, field, replace

from . import formats, model
from .checks import resolve_expected
from .formats import Message, gettext_noop

# Each mistake on a screen costs half its point; the screen never goes below zero.
MISTAKE_COST = 0.5
MAX_TEXT_LENGTH = 200


@dataclass(frozen=True)
class Progress:
    """One learner's position in one scenario.

    `revision` grows with every change, so that a request made against an older state (another
    tab, or a submission racing a restart) is recognised and refused instead of applied twice.
    """

    screen: str
    revision: int = 0
    done: tuple[str, ...] = ()
    mistakes: tuple[tuple[str, int], ...] = ()
    hints: tuple[str, ...] = ()
    finished: bool = False
    best_score: float | None = None

    def mistakes_on(self, screen_id: str) -> int:
        """How many mistakes the learner made on `screen_id`."""
        return dict(self.mistakes).get(screen_id, 0)

    def to_dict(self) -> dict:
        """The JSON-ready form kept in the block's user-state field."""
        return {
            "screen": self.screen,
            "revision": self.revision,
            "done": list(self.done),
            "mistakes": dict(self.mistakes),
            "hints": list(self.hints),
            "finished": self.finished,
            "best_score": self.best_score,
        }

    @classmethod
    def from_dict(cls, data: dict, scenario: model.Scenario) -> "Progress":
        """Rebuild progress from stored state; start afresh if the state no longer fits.

        A course author may rename or remove screens after learners started. Progress that
        names a screen which no longer exists cannot be resumed, so the learner restarts —
        keeping the best score already earned.
        """
        try:
            progress = cls(
                screen=str(data["screen"]),
                revision=int(data["revision"]),
                done=tuple(str(screen) for screen in data["done"]),
                mistakes=tuple(sorted((str(k), int(v)) for k, v in data["mistakes"].items())),
                hints=tuple(str(screen) for screen in data["hints"]),
                finished=bool(data["finished"]),
                best_score=None if data["best_score"] is None else float(data["best_score"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return start(scenario)
        if scenario.screen(progress.screen) is None:
            return replace(start(scenario), revision=progress.revision + 1,
                           best_score=progress.best_score)
        # Screens done earlier may have been renamed or removed since: they no longer count.
        return replace(
            progress,
            done=tuple(screen for screen in progress.done if scenario.screen(screen)),
            mistakes=tuple((screen, count) for screen, count in progress.mistakes
                           if scenario.screen(screen)),
        )


@dataclass(frozen=True)
class Outcome:
    """What one submission did: the new progress and what to tell the learner."""

    progress: Progress
    correct: bool
    feedback: tuple[Message | str, ...] = ()
    field_errors: tuple[tuple[str, tuple[Message | str, ...]], ...] = ()
    privacy_fields: tuple[str, ...] = ()
    just_finished: bool = False

    @property
    def privacy_warning(self) -> bool:
        """Whether the learner typed what looks like real personal data."""
        return bool(self.privacy_fields)


@dataclass(frozen=True)
class FieldResult:
    """The verdict on one field: its problems, and whether it looked like real personal data."""

    problems: tuple[Message, ...] = ()
    looks_real: bool = False


@dataclass
class _FormContext:
    scenario: model.Scenario
    values: dict[str, str]
    dossier_code: str = ""
    results: dict[str, FieldResult] = field(default_factory=dict)


def start(scenario: model.Scenario) -> Progress:
    """Fresh progress at the scenario's first screen."""
    return Progress(screen=scenario.start)


def restart(scenario: model.Scenario, progress: Progress) -> Progress:
    """Back to the first screen; the best score earned so far is kept."""
    return replace(start(scenario), revision=progress.revision + 1,
                   best_score=progress.best_score)


def take_hint(progress: Progress) -> Progress:
    """Record that the learner opened the current screen's hint; hints never cost points."""
    if progress.screen in progress.hints:
        return progress
    return replace(progress, hints=(*progress.hints, progress.screen),
                   revision=progress.revision + 1)


def choose_action(scenario: model.Scenario, progress: Progress, action: model.Action) -> Outcome:
    """Apply a button press on the current screen."""
    feedback = (action.feedback,) if action.feedback else ()
    if action.correct:
        moved, finished = _advance(scenario, progress, action.goto)
        return Outcome(moved, correct=True, feedback=feedback, just_finished=finished)

    progress = _count_mistake(progress)
    if action.goto:
        progress = replace(progress, screen=action.goto)
    return Outcome(progress, correct=False, feedback=feedback)


def open_procedure(scenario: model.Scenario, progress: Progress, procedure_id: str) -> Outcome:
    """The learner opened a procedure from the search results: the right one moves on."""
    search = scenario.screen(progress.screen).search
    if procedure_id == search.expect:
        moved, finished = _advance(scenario, progress, search.goto)
        return Outcome(moved, correct=True, just_finished=finished)
    chosen = scenario.procedure(procedure_id)
    feedback = Message.of(
        gettext_noop("“{name}” is for another need: {summary} Read your situation again and "
                     "search for the procedure that fits it."),
        name=chosen.name, summary=chosen.summary)
    return Outcome(_count_mistake(progress), correct=False, feedback=(feedback,))


def submit_form(scenario: model.Scenario, progress: Progress, values: dict[str, str],
                dossier_code: str = "") -> Outcome:
    """Check every field of the current screen's form; advance only if all are right.

    `values` maps field ids to what the learner typed. Nothing of it is kept: only the verdict.
    `dossier_code` is the learner's own code, which a `dossier-code` field must match.
    """
    screen = scenario.screen(progress.screen)
    context = _FormContext(scenario, values, dossier_code)
    for form_field in screen.form.fields:
        context.results[form_field.id] = check_field(form_field, context)

    errors = tuple(
        (field_id, result.problems) for field_id, result in context.results.items()
        if result.problems
    )
    looks_real = tuple(field_id for field_id, result in context.results.items()
                       if result.looks_real)
    if errors:
        return Outcome(_count_mistake(progress), correct=False, field_errors=errors,
                       privacy_fields=looks_real)
    new_progress, finished = _advance(scenario, progress, screen.form.goto)
    return Outcome(new_progress, correct=True, privacy_fields=looks_real,
                   just_finished=finished)


def check_field(form_field: model.Field, context: _FormContext) -> FieldResult:
    """The verdict on one field's value, by the rules of the real service for its kind."""
    raw = context.values.get(form_field.id, "")
    if not raw.strip():
        if form_field.optional:
            return FieldResult()
        if form_field.kind in ("select", "file"):
            return FieldResult((Message.of(gettext_noop("Please choose “{label}”."),
                                           label=form_field.label),))
        return FieldResult((Message.of(gettext_noop("Please fill in “{label}”."),
                                       label=form_field.label),))
    if len(raw) > MAX_TEXT_LENGTH:
        return FieldResult((Message.of(
            gettext_noop("This is longer than {limit} characters; please shorten it."),
            limit=str(MAX_TEXT_LENGTH)),))

    # A confirmation only has to repeat its field: that field's own problems are told once.
    if form_field.same_as:
        if raw != context.values.get(form_field.same_as, ""):
            return FieldResult((Message.of(gettext_noop(
                "This does not match what you typed above; type the same again.")),))
        return FieldResult()

    persona = context.scenario.persona
    expected = resolve_expected(form_field.expect, persona) if form_field.expect else ""
    if form_field.kind == "dossier-code":
        expected = context.dossier_code
    checker = _KIND_CHECKERS[form_field.kind]
    if form_field.kind == "email":
        result = _check_email(raw, expected, form_field, persona.email)
    else:
        result = checker(raw, expected, form_field)
    if result.problems:
        return result
    guessable = _guessable_from_persona(form_field.kind, raw, persona)
    if guessable:
        return FieldResult((guessable,))
    if form_field.differs_from and raw == context.values.get(form_field.differs_from):
        return FieldResult((Message.of(
            gettext_noop("Choose something different from the one above."),),))
    return result


def _check_id_number(raw, expected, _field):
    problems = formats.check_id_number(raw)
    if problems or not expected:
        return FieldResult(tuple(problems))
    mismatch = formats.id_number_matches(raw, expected)
    return FieldResult(tuple(mismatch),
                       looks_real=bool(mismatch) and formats.looks_like_real_id_number(raw))


def _check_phone(raw, expected, _field):
    problems = formats.check_phone(raw)
    if problems or not expected:
        return FieldResult(tuple(problems))
    if formats.normalize_phone(raw) == formats.normalize_phone(expected):
        return FieldResult()
    return FieldResult(
        (Message.of(gettext_noop("This is not the practice phone number; use the one shown "
                                 "in the practice details.")),),
        looks_real=formats.looks_like_real_phone(raw),
    )


def _check_otp(raw, expected, _field):
    problems = formats.check_otp(raw)
    if problems or not expected:
        return FieldResult(tuple(problems))
    if formats.digits_only(raw) == formats.digits_only(expected):
        return FieldResult()
    return FieldResult((Message.of(gettext_noop(
        "This code is not the one in the message; copy the 6 digits from the SMS.")),))


def _check_password(raw, _expected, _field):
    return FieldResult(tuple(formats.check_password(raw)))


def _check_passcode(raw, _expected, _field):
    problems = formats.check_passcode(raw)
    if problems:
        return FieldResult(tuple(problems))
    if formats.guessable_passcode(raw):
        return FieldResult((Message.of(gettext_noop(
            "This passcode is easy to guess: avoid one digit repeated and runs such as 123456 "
            "or 654321.")),))
    return FieldResult()


def _guessable_from_persona(kind, raw, persona):
    """A password or passcode built from the persona's own details is refused: the real
    service's advice, and the first thing a thief tries."""
    if kind not in ("password", "passcode"):
        return None
    typed = formats.fold_text(raw).replace(" ", "")
    digits = formats.digits_only(raw)
    name_parts = [part for part in formats.fold_text(persona.name).split() if len(part) >= 3]
    phone = formats.digits_only(persona.phone)
    clues = [
        any(part in typed for part in name_parts),
        str(persona.birth_year) in digits or (kind == "passcode" and str(persona.birth_year)[2:]
                                              * 3 == digits),
        any(phone[start:start + 6] in digits for start in range(len(phone) - 5)),
    ]
    if any(clues):
        return Message.of(gettext_noop(
            "Do not build it from the persona's name, year of birth or phone number: those are "
            "the first things someone would try."))
    return None


def _check_email(raw, expected, _field, persona_email=""):
    problems = formats.check_email(raw)
    if problems:
        return FieldResult(tuple(problems))
    typed = raw.strip().casefold()
    if expected and typed != expected.casefold():
        return FieldResult((Message.of(gettext_noop(
            "This is not the practice e-mail address; use the one shown in the practice "
            "details.")),), looks_real=True)
    # Any address but the persona's may be the learner's own: accepted, but with a reminder.
    return FieldResult(looks_real=bool(persona_email) and typed != persona_email.casefold())


def _check_text(raw, expected, _field):
    if not expected or formats.fold_text(raw) == formats.fold_text(expected):
        return FieldResult()
    return FieldResult((Message.of(gettext_noop(
        "This is not what the practice asks for; read the task again.")),))


def _check_select(raw, expected, form_field):
    if raw not in {option.value for option in form_field.options}:
        return FieldResult((Message.of(gettext_noop("Please choose one of the options.")),))
    if expected and raw != expected:
        return FieldResult((Message.of(gettext_noop(
            "This is not the right choice here; read the task again.")),))
    return FieldResult()


def _check_file(raw, expected, form_field):
    sample = form_field.file(raw)
    if sample is None:
        return FieldResult((Message.of(gettext_noop("Please choose one of the files.")),))
    if sample.problem:
        return FieldResult((sample.problem,))
    if expected and raw != expected:
        return FieldResult((Message.of(gettext_noop(
            "This file is not the document asked for here; read the label again.")),))
    return FieldResult()


def _check_dossier_code(raw, expected, _field):
    typed = "".join(raw.split()).upper()
    if typed == expected:
        return FieldResult()
    if len(typed) != len(expected):
        return FieldResult((Message.of(gettext_noop(
            "A dossier code has {length} characters, like {shape}; copy it from the message "
            "you received."), length=str(len(expected)), shape="000.00.00.H26-YYMMDD-0000"),))
    return FieldResult((Message.of(gettext_noop(
        "This is not your dossier code; copy it exactly from the message you received.")),))


_KIND_CHECKERS = {
    "file": _check_file,
    "dossier-code": _check_dossier_code,
    "id-number": _check_id_number,
    "phone": _check_phone,
    "otp": _check_otp,
    "password": _check_password,
    "passcode": _check_passcode,
    "email": _check_email,
    "text": _check_text,
    "select": _check_select,
}


def score(scenario: model.Scenario, progress: Progress) -> float:
    """The fraction of the points earned on the scored screens the learner completed."""
    scored = [screen_id for screen_id in progress.done if scenario.screen(screen_id).scored]
    if not scored:
        return 1.0
    earned = sum(max(0.0, 1.0 - MISTAKE_COST * progress.mistakes_on(screen_id))
                 for screen_id in scored)
    return earned / len(scored)


def _count_mistake(progress: Progress) -> Progress:
    mistakes = dict(progress.mistakes)
    mistakes[progress.screen] = mistakes.get(progress.screen, 0) + 1
    return replace(progress, mistakes=tuple(sorted(mistakes.items())),
                   revision=progress.revision + 1)


def _advance(scenario, progress, goto):
    """Mark the current screen done and move to `goto`; finishing records the best score."""
    done = progress.done if progress.screen in progress.done else (*progress.done,
                                                                   progress.screen)
    moved = replace(progress, screen=goto, done=done, revision=progress.revision + 1)
    if not scenario.screen(goto).end or progress.finished:
        return moved, False
    result = score(scenario, moved)
    best = result if moved.best_score is None else max(result, moved.best_score)
    return replace(moved, finished=True, best_score=best), True
