"""Reading a scenario from OLX: hardened XML parsing, the grammar, then the model.

The scenario arrives either as text (the block keeps it in a content field) or as an element of
a larger OLX file (the validator). Either way the XML is untrusted: no DTD, no entities, no
network, bounded size. Errors are collected as `Problem`s carrying the line and a fix.
"""

import logging
import re
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from . import model

log = logging.getLogger(__name__)

# A scenario with a few dozen screens is about 20 KB; ten times that is still plausible,
# anything larger is a mistake or an attack and is refused before parsing.
MAX_SCENARIO_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, what, and how to fix it."""

    line: int
    message: str
    fix: str = ""

    def __str__(self):
        text = f"line {self.line}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text


class ScenarioError(ValueError):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


def hardened_parser() -> etree.XMLParser:
    """An lxml parser that expands no entity, loads no DTD and reaches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml_text(text: str | bytes, max_bytes: int = MAX_SCENARIO_BYTES) -> etree._Element:
    """Parse untrusted XML text into an element, refusing DTDs, entities and oversized input."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > max_bytes:
        raise ScenarioError([Problem(
            1, f"the XML is {len(data)} bytes, more than the limit of {max_bytes}",
            "split the practice into smaller ones",
        )])
    try:
        tree = etree.fromstring(data, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        raise ScenarioError([Problem(
            error.lineno or 1, f"the XML does not parse: {error.msg}",
            "check that every tag is closed and every attribute quoted",
        )]) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise ScenarioError([Problem(
            1, "the XML declares a DOCTYPE or entities, which OLX never needs",
            "remove the <!DOCTYPE ...> declaration and write characters directly",
        )])
    return tree.getroot()


def _load_schema() -> etree.RelaxNG:
    source = resources.files("dps_xblocks.engine").joinpath("schema/scenario.rng").read_bytes()
    return etree.RelaxNG(etree.fromstring(source, hardened_parser()))


SCHEMA = _load_schema()


# The grammar's own messages ("Element field failed to validate attributes") name neither the
# attribute nor the value, so the mistakes authors make most are looked for first and named.
KNOWN_VALUES = {
    ("scenario", "frame"): model.FRAMES,
    ("field", "kind"): model.FIELD_KINDS,
    ("notice", "kind"): model.NOTICE_KINDS,
    ("card-reader", "mode"): model.CARD_READER_MODES,
    ("card-reader", "state"): model.CARD_READER_STATES,
    ("camera", "state"): model.CAMERA_STATES,
    ("status", "state"): ("done", "current", "todo"),
    ("document", "signature"): ("valid", "invalid"),
    ("actions", "order"): ("shuffled", "fixed"),
    ("persona", "sex"): ("male", "female"),
    ("screen", "end"): ("true", "false"),
    ("action", "correct"): ("true", "false"),
    ("field", "optional"): ("true", "false"),
}
IDENTIFIER_ATTRIBUTES = {"id", "goto", "start", "same-as", "differs-from", "ref", "story"}
KNOWN_ELEMENTS = {
    "scenario", "persona", "dossier", "catalogue", "procedure", "summary", "requires", "screen",
    "text", "notice", "sms", "data", "item", "card-reader", "camera", "image", "procedure-card",
    "timeline", "status", "payment", "document", "call", "chat", "hint", "actions", "action",
    "form", "field", "option", "file", "search",
}
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def named_problems(element: etree._Element) -> list[Problem]:
    """Unknown elements, attribute values outside their list and malformed ids, each named."""
    problems = []
    for node in element.iter(tag=etree.Element):
        line = node.sourceline or 1
        if node.tag not in KNOWN_ELEMENTS:
            problems.append(Problem(line, f"<{node.tag}> is not an element of the scenario "
                                    "language", "see docs/scenario-language.md for the elements"))
            continue
        for name, value in node.attrib.items():
            allowed = KNOWN_VALUES.get((node.tag, name))
            if allowed is not None and value not in allowed:
                problems.append(Problem(line, f"{name}={value!r} is not allowed on <{node.tag}>",
                                        f"write one of {', '.join(allowed)}"))
            elif name in IDENTIFIER_ATTRIBUTES and not IDENTIFIER.fullmatch(value):
                problems.append(Problem(line, f"{name}={value!r} on <{node.tag}> is not an id",
                                        "use 1 to 64 ASCII letters, digits, _ or -"))
    return problems


def schema_problems(element: etree._Element) -> list[Problem]:
    """Check a `<scenario>` element against the grammar; return its problems, if any."""
    if SCHEMA.validate(element):
        return []
    # libxml2 reports some errors at line 0; the element's own line is the nearest truth.
    fallback = element.sourceline or 1
    grammar = [Problem(error.line or fallback, error.message,
                       "see docs/scenario-language.md for what is allowed")
               for error in SCHEMA.error_log]
    # The grammar's message for a missing hint ("did not expect element actions") misleads
    # authors, so the commonest omission is named plainly first.
    named = [
        Problem(screen.sourceline or fallback, f"screen {screen.get('id')!r} has no <hint>",
                "add <hint>...</hint> after the screen's content and before its task")
        for screen in element.iterfind("screen") if screen.find("hint") is None
    ] + named_problems(element)
    # A line explained by a named problem does not need the grammar's vaguer words as well.
    explained = {problem.line for problem in named}
    return named + [problem for problem in grammar if problem.line not in explained]


def parse_scenario(text: str | bytes) -> model.Scenario:
    """Parse a `<scenario>` written as XML text; raise `ScenarioError` with every problem."""
    return parse_scenario_element(parse_xml_text(text))


def parse_scenario_element(element: etree._Element) -> model.Scenario:
    """Build the model from a `<scenario>` element; raise `ScenarioError` if the grammar fails."""
    if element.tag != "scenario":
        raise ScenarioError([Problem(
            element.sourceline or 1, f"expected a <scenario> element, found <{element.tag}>",
            "write the practice inside <scenario>...</scenario>",
        )])
    problems = schema_problems(element)
    if problems:
        raise ScenarioError(problems)

    dossier = element.find("dossier")
    return model.Scenario(
        title=element.get("title"),
        app=element.get("app"),
        start=element.get("start"),
        frame=element.get("frame", "phone"),
        lang=element.get("lang", "vi"),
        persona=_persona(element.find("persona")),
        screens=tuple(_screen(screen) for screen in element.iterfind("screen")),
        procedures=tuple(_procedure(procedure)
                         for procedure in element.iterfind("catalogue/procedure")),
        dossier=None if dossier is None else model.Dossier(
            dossier.get("agency"), dossier.get("date"), dossier.get("story")),
    )


def _children(element: etree._Element):
    """Child elements only: an element from a larger file may still hold comments."""
    return element.iterchildren(tag=etree.Element)


def _text(element: etree._Element) -> str:
    return " ".join((element.text or "").split())


def _flag(element: etree._Element, name: str, default: bool) -> bool:
    value = element.get(name)
    return default if value is None else value == "true"


def _persona(element: etree._Element) -> model.Persona:
    return model.Persona(
        name=element.get("name"),
        id_number=element.get("id-number"),
        sex=element.get("sex"),
        birth_year=int(element.get("birth-year")),
        phone=element.get("phone"),
        address=element.get("address"),
        email=element.get("email", ""),
    )


def _procedure(element: etree._Element) -> model.Procedure:
    return model.Procedure(
        id=element.get("id"),
        name=element.get("name"),
        summary=_text(element.find("summary")),
        keywords=element.get("keywords", ""),
        who=element.get("who", ""),
        agency=element.get("agency", ""),
        fee=element.get("fee", ""),
        duration=element.get("duration", ""),
        documents=tuple(_text(item) for item in element.iterfind("requires")),
    )


def _items(element: etree._Element) -> tuple[model.DataItem, ...]:
    return tuple(model.DataItem(item.get("label"), _text(item)) for item in _children(element))


def _content(element: etree._Element) -> model.Content:
    match element.tag:
        case "text":
            return model.Text(_text(element))
        case "notice":
            return model.Notice(element.get("kind"), _text(element))
        case "sms":
            return model.Sms(element.get("from"), _text(element))
        case "data":
            return model.Data(_items(element))
        case "procedure-card":
            return model.ProcedureCard(element.get("ref"))
        case "timeline":
            return model.Timeline(tuple(
                model.Status(status.get("state"), _text(status), status.get("date", ""))
                for status in _children(element)))
        case "payment":
            return model.Payment(int(element.get("amount")), element.get("payee"),
                                 element.get("reference"))
        case "document":
            return model.Document(element.get("title"), element.get("signer"),
                                  element.get("signature"), _items(element))
        case "call":
            return model.Call(element.get("from"), element.get("number"), _text(element))
        case "chat":
            return model.Chat(element.get("app"), element.get("from"), _text(element))
        case "card-reader":
            return model.CardReader(element.get("mode"), element.get("state"))
        case "camera":
            return model.Camera(element.get("state"))
        case "image":
            return model.Image(element.get("src"), element.get("alt"))
    raise AssertionError(f"the grammar let through an unknown element <{element.tag}>")


def _field(element: etree._Element) -> model.Field:
    return model.Field(
        id=element.get("id"),
        kind=element.get("kind"),
        label=element.get("label"),
        expect=element.get("expect", ""),
        same_as=element.get("same-as", ""),
        differs_from=element.get("differs-from", ""),
        optional=_flag(element, "optional", False),
        help=element.get("help", ""),
        options=tuple(
            model.Option(option.get("value"), _text(option))
            for option in element.iterfind("option")
        ),
        files=tuple(
            model.SampleFile(sample.get("name"), sample.get("type"), sample.get("size"),
                             sample.get("problem", ""))
            for sample in element.iterfind("file")
        ),
    )


def _screen(element: etree._Element) -> model.Screen:
    content, actions, form, search, hint, fixed_order = [], (), None, None, "", False
    for child in _children(element):
        if child.tag == "hint":
            hint = _text(child)
        elif child.tag == "actions":
            fixed_order = child.get("order") == "fixed"
            actions = tuple(
                model.Action(
                    id=action.get("id"),
                    label=_text(action),
                    goto=action.get("goto", ""),
                    correct=_flag(action, "correct", True),
                    feedback=action.get("feedback", ""),
                )
                for action in _children(child)
            )
        elif child.tag == "form":
            form = model.Form(
                submit=child.get("submit"),
                goto=child.get("goto"),
                fields=tuple(_field(field) for field in _children(child)),
            )
        elif child.tag == "search":
            search = model.Search(child.get("label"), child.get("submit"), child.get("goto"),
                                  child.get("expect"))
        else:
            content.append(_content(child))
    return model.Screen(
        id=element.get("id"),
        title=element.get("title"),
        hint=hint,
        content=tuple(content),
        actions=actions,
        form=form,
        search=search,
        fixed_order=fixed_order,
        end=_flag(element, "end", False),
        line=element.sourceline or 0,
    )
