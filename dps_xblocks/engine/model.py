"""The scenario model: a practice copy of a public service as plain, immutable data.

A scenario (kịch bản thực hành) is a set of screens the learner moves through. Parsing builds
these objects from OLX (`parsing`), `checks` finds what a grammar cannot, `evaluation` decides
what a learner's action does, and the block renders them. None of these objects holds learner
state: one parsed scenario serves every learner.
"""

from dataclasses import dataclass, field

FIELD_KINDS = ("id-number", "phone", "otp", "password", "passcode", "email", "text", "select",
               "file", "dossier-code")
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


@dataclass(frozen=True)
class Procedure:
    """An administrative procedure (thủ tục hành chính) in a practice catalogue."""

    id: str
    name: str
    summary: str
    keywords: str = ""
    who: str = ""
    agency: str = ""
    fee: str = ""
    duration: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcedureCard:
    """The details of a catalogue procedure, as the portal shows them."""

    ref: str


@dataclass(frozen=True)
class Status:
    """One entry of an application's status timeline; `state` is done, current or todo."""

    state: str
    label: str
    date: str = ""


@dataclass(frozen=True)
class Timeline:
    """The statuses an application goes through, in order."""

    entries: tuple[Status, ...]


@dataclass(frozen=True)
class Payment:
    """A payment request: what is paid, to whom, under which reference."""

    amount: int
    payee: str
    reference: str


@dataclass(frozen=True)
class Document:
    """An electronic result with its digital signature: valid, or broken by tampering."""

    title: str
    signer: str
    signature: str
    items: tuple[DataItem, ...]


@dataclass(frozen=True)
class Call:
    """An incoming phone call, with what the caller says."""

    caller: str
    number: str
    text: str


@dataclass(frozen=True)
class Chat:
    """A message arriving in a chat app (Zalo, Facebook Messenger) rather than by SMS."""

    app: str
    sender: str
    text: str


Content = (Text | Notice | Sms | Data | CardReader | Camera | Image | ProcedureCard | Timeline
           | Payment | Document | Call | Chat)


@dataclass(frozen=True)
class SampleFile:
    """A sample file the learner may attach; `problem` says why the agency would refuse it."""

    name: str
    type: str
    size: str
    problem: str = ""


@dataclass(frozen=True)
class Dossier:
    """How the practice numbers the learner's application (mã hồ sơ).

    The code has the real shape `AAA.BB.CC.H26-YYMMDD-NNNN`: the receiving agency, the date
    received and a sequence number. Practices that share a `story` give a learner the same code,
    so the code from filing is the one the learner later tracks and pays for.
    """

    agency: str
    date: str
    story: str


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
    files: tuple[SampleFile, ...] = ()

    def file(self, name: str) -> SampleFile | None:
        """The sample file called `name`, or None."""
        return next((sample for sample in self.files if sample.name == name), None)


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
class Search:
    """A search task: the learner searches the catalogue and opens the procedure `expect`."""

    label: str
    submit: str
    goto: str
    expect: str


@dataclass(frozen=True)
class Screen:
    """One screen of the service. `line` is where it starts in the source, for error reports."""

    id: str
    title: str
    hint: str
    content: tuple[Content, ...] = ()
    actions: tuple[Action, ...] = ()
    form: Form | None = None
    search: Search | None = None
    end: bool = False
    fixed_order: bool = False
    line: int = 0

    @property
    def scored(self) -> bool:
        """A screen counts toward the score when its task can be answered wrongly."""
        return (self.form is not None or self.search is not None
                or any(not action.correct for action in self.actions))

    @property
    def has_task(self) -> bool:
        """Whether the learner has something to do here to move on."""
        return bool(self.actions) or self.form is not None or self.search is not None

    def action(self, action_id: str) -> Action | None:
        """Return the action called `action_id`, or None."""
        return next((action for action in self.actions if action.id == action_id), None)

    def targets(self) -> tuple[str, ...]:
        """The screens this screen can lead to."""
        gotos = [action.goto for action in self.actions if action.goto]
        if self.form is not None:
            gotos.append(self.form.goto)
        if self.search is not None:
            gotos.append(self.search.goto)
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
    lang: str = "vi"
    procedures: tuple[Procedure, ...] = ()
    dossier: Dossier | None = None
    by_id: dict[str, Screen] = field(default_factory=dict, compare=False, repr=False)
    procedures_by_id: dict[str, Procedure] = field(default_factory=dict, compare=False,
                                                   repr=False)

    def __post_init__(self):
        # Filled once here so that a lookup costs the same on every request.
        self.by_id.update((screen.id, screen) for screen in self.screens)
        self.procedures_by_id.update((procedure.id, procedure) for procedure in self.procedures)

    def procedure(self, procedure_id: str) -> Procedure | None:
        """The catalogue procedure called `procedure_id`, or None."""
        return self.procedures_by_id.get(procedure_id)

    def screen(self, screen_id: str) -> Screen | None:
        """Return the screen called `screen_id`, or None."""
        return self.by_id.get(screen_id)

    @property
    def step_count(self) -> int:
        """How many screens have a task: the length of the progress indicator."""
        return sum(1 for screen in self.screens if not screen.end)
