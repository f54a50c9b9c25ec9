"""The scenario model: a practice copy of a public service as plain, immutable data.

A scenario (kịch bản thực hành) is a set of screens the learner moves through. Parsing builds
these objects from OLX (`parsing`), `checks` finds what a grammar cannot, `evaluation` decides
what a learner's action does, and the block renders them. None of these objects holds learner
state: one parsed scenario serves every learner.
"""

from dataclasses import dataclass, field

FIELD_KINDS = ("id-number", "phone", "otp", "password", "passcode", "email", "text", "select")
NOTICE_KINDS = ("info", "warning", "lesson")
FRAMES = ("phone", "browser")
CARD_READER_MODES = ("nfc", "qr")
CARD_READER_STATES = ("waiting", "failed", "done")
CAMERA_STATES = ("ready", "rejected", "accepted")

# Persona details that scenario text and `expect` may refer to, by their OLX attribute name.
PERSONA_KEYS = ("name", "id-number", "sex", "birth-year", "phone", "address", "email")


@dataclass(frozen=True)
class Persona:
    """The fictional resident whose details the learner types; never a real person."""

    name: str
    id_number: str
    sex: str
    birth_year: int
    phone: str
    address: str
    email: str = ""

    def value(self, key: str) -> str:
        """Return the detail named `key` as written in OLX (`id-number`, `birth-year`, ...)."""
        return str(getattr(self, key.replace("-", "_")))


@dataclass(frozen=True)
class Text:
    """A paragraph."""

    text: str


@dataclass(frozen=True)
class Notice:
    """A highlighted box; kind `lesson` marks a safety rule the learner must keep."""

    kind: str
    text: str


@dataclass(frozen=True)
class Sms:
    """A text message arriving on the practice phone."""

    sender: str
    text: str


@dataclass(frozen=True)
class DataItem:
    """One labelled value of a `Data` list."""

    label: str
    value: str


@dataclass(frozen=True)
class Data:
    """A list of labelled values, such as the details read from an ID card's chip."""

    items: tuple[DataItem, ...]


@dataclass(frozen=True)
class CardReader:
    """The phone reading the ID card, by NFC or by the card's QR code."""

    mode: str
    state: str


@dataclass(frozen=True)
class Camera:
    """The face-photo frame, ready, with a rejected photo, or with an accepted one."""

    state: str


@dataclass(frozen=True)
class Image:
    """A course image, linked as `/static/<file>`."""

    src: str
    alt: str


Content = Text | Notice | Sms | Data | CardReader | Camera | Image


@dataclass(frozen=True)
class Option:
    """One choice of a select field."""

    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One input of a form, checked on the server by its `kind`."""

    id: str
    kind: str
    label: str
    expect: str = ""
    same_as: str = ""
    differs_from: str = ""
    optional: bool = False
    help: str = ""
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Form:
    """A form task: all fields must be right for the learner to move on to `goto`."""

    submit: str
    goto: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Action:
    """A button of an actions task; `correct=False` marks a mistake the learner can make."""

    id: str
    label: str
    goto: str = ""
    correct: bool = True
    feedback: str = ""


@dataclass(frozen=True)
class Screen:
    """One screen of the service. `line` is where it starts in the source, for error reports."""

    id: str
    title: str
    hint: str
    content: tuple[Content, ...] = ()
    actions: tuple[Action, ...] = ()
    form: Form | None = None
    end: bool = False
    line: int = 0

    @property
    def scored(self) -> bool:
        """A screen counts toward the score when its task can be answered wrongly."""
        return self.form is not None or any(not action.correct for action in self.actions)

    def action(self, action_id: str) -> Action | None:
        """Return the action called `action_id`, or None."""
        return next((action for action in self.actions if action.id == action_id), None)

    def targets(self) -> tuple[str, ...]:
        """The screens this screen can lead to."""
        gotos = [action.goto for action in self.actions if action.goto]
        if self.form is not None:
            gotos.append(self.form.goto)
        return tuple(gotos)


@dataclass(frozen=True)
class Scenario:
    """A whole practice: its persona and screens, in source order."""

    title: str
    app: str
    start: str
    persona: Persona
    screens: tuple[Screen, ...]
    frame: str = "phone"
    by_id: dict[str, Screen] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        # Filled once here so that looking up a screen costs the same on every request.
        self.by_id.update((screen.id, screen) for screen in self.screens)

    def screen(self, screen_id: str) -> Screen | None:
        """Return the screen called `screen_id`, or None."""
        return self.by_id.get(screen_id)

    @property
    def step_count(self) -> int:
        """How many screens have a task: the length of the progress indicator."""
        return sum(1 for screen in self.screens if not screen.end)
