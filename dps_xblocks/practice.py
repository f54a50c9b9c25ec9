"""The practice block (`dps_practice`): a thin XBlock binding over the practice engine.

The scenario is course content written in OLX inside the block's element; the learner's
progress is user state and holds nothing the learner typed. Every decision about right and wrong
is made by `dps_xblocks.engine`; this module stores, renders and answers requests.
"""

import json
import logging
import math
from functools import lru_cache
from importlib import resources

from lxml import etree
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Dict, Float, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from .engine import evaluation
from .engine import search as catalogue_search
from .engine.checks import check_scenario, dossier_code, fill_persona
from .engine.formats import Message, gettext_noop
from .engine.parsing import Problem, ScenarioError, parse_scenario, parse_xml_text
from .rendering import ScreenRenderer

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)

# The largest real request is a form of a few fields of at most 200 characters each.
MAX_REQUEST_BYTES = 8 * 1024
DEFAULT_SCENARIO = resources.files(__package__).joinpath("scenarios/first_steps.xml").read_text(
    encoding="utf-8")


class RequestError(Exception):
    """A handler request that cannot be applied; answered as a JSON error, state untouched."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


@lru_cache(maxsize=128)
def load_scenario(text: str):
    """Parse and check a scenario once per distinct text; raise `ScenarioError` if unusable.

    Every request of every learner needs the parsed scenario, so it is cached by its text:
    editing the scenario in Studio changes the text and so the cache entry.
    """
    scenario = parse_scenario(text)
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def search_index(scenario):
    """The search index of a scenario's catalogue, built once per parsed scenario.

    `load_scenario` hands every request the same scenario object, so the index is kept on it;
    keying a cache by the scenario itself would hash the whole scenario on every search.
    """
    index = scenario.__dict__.get("_search_index")
    if index is None:
        index = scenario.__dict__["_search_index"] = catalogue_search.build_index(
            scenario.procedures)
    return index


def json_request(method):
    """Turn a handler into one that takes a JSON object and answers JSON.

    Unlike `XBlock.json_handler`, this refuses oversized bodies before reading them and turns
    `RequestError` into a translated message with its status, so that the learner's page can
    say what went wrong and the learner's state stays as it was.
    """

    @XBlock.handler
    def handler(self, request, suffix=""):
        _ = self.gettext
        try:
            if request.method != "POST":
                raise RequestError(405, _("Send this request with POST."))
            if (request.content_length or 0) > MAX_REQUEST_BYTES or len(
                    request.body) > MAX_REQUEST_BYTES:
                raise RequestError(413, _("The request is larger than any answer can be."))
            try:
                data = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise RequestError(400, _("The request is not valid JSON.")) from None
            if not isinstance(data, dict):
                raise RequestError(400, _("The request must be a JSON object."))
            body = method(self, data)
            status = 200
        except RequestError as error:
            log.info("Rejected %s request to %s: %s", method.__name__,
                     self.scope_ids.usage_id, error.message)
            body = {"error": error.message, **error.extra}
            status = error.status
        return Response(json.dumps(body), status=status, content_type="application/json",
                        charset="utf-8")

    handler.__name__ = method.__name__
    handler.__doc__ = method.__doc__
    return handler


@XBlock.wants("i18n")
class PracticeBlock(StudioEditableXBlockMixin, ScorableXBlockMixin, CompletableXBlockMixin,
                    XBlock):
    """A safe practice copy of a digital public service, described in OLX."""

    display_name = String(
        display_name=gettext_noop("Display name"),
        help=gettext_noop("The name learners see in the course outline."),
        default="Thực hành",
        scope=Scope.settings,
    )
    weight = Float(
        display_name=gettext_noop("Weight"),
        help=gettext_noop("How much this practice counts in the grade."),
        default=1.0,
        values={"min": 0},
        scope=Scope.settings,
    )
    scenario = String(
        display_name=gettext_noop("Scenario"),
        help=gettext_noop("The practice scenario, written in the scenario language."),
        default=DEFAULT_SCENARIO,
        scope=Scope.content,
        multiline_editor=True,
    )
    progress = Dict(
        help=gettext_noop("Where the learner is; nothing the learner typed."),
        default={},
        scope=Scope.user_state,
    )

    has_score = True
    has_custom_completion = True
    icon_class = "problem"
    editable_fields = ("display_name", "weight", "scenario")

    @property
    def gettext(self):
        """The platform's translation function, or the identity where there is none."""
        service = self.runtime.service(self, "i18n")
        if service is None:
            return lambda text: text
        return getattr(service, "gettext", None) or service.ugettext

    @property
    def parsed(self):
        """The scenario model of this block, parsed once per block instance.

        Reading a String field makes XBlock scan the whole text for invalid characters; a
        request reads the scenario several times, so the instance keeps what it parsed. The
        platform builds a new instance per request, so an edit in Studio is seen at once.
        """
        cached = self.__dict__.get("_parsed_scenario")
        if cached is None:
            cached = self.__dict__["_parsed_scenario"] = load_scenario(self.scenario)
        return cached

    def current_progress(self) -> evaluation.Progress:
        """The learner's progress, started afresh when there is none."""
        if not self.progress:
            return evaluation.start(self.parsed)
        return evaluation.Progress.from_dict(self.progress, self.parsed)

    @property
    def dossier_code(self) -> str:
        """This learner's dossier code in the scenario's story; empty when there is none."""
        if self.parsed.dossier is None:
            return ""
        return dossier_code(self.parsed.dossier, str(self.scope_ids.user_id))

    def fill(self, text: str) -> str:
        """Scenario text with the persona's details and the learner's dossier code."""
        return fill_persona(text, self.parsed.persona, self.dossier_code)

    def say(self, item: Message | str) -> str:
        """A verdict for the learner: author text gets the persona's details filled in; an
        engine message is translated and never filled, since it may quote what was typed."""
        return item.render(self.gettext) if isinstance(item, Message) else self.fill(item)

    def renderer(self) -> ScreenRenderer:
        """A screen renderer whose element ids are unique to this block on the page."""
        uid = "dps-" + "".join(
            char if char.isalnum() else "-" for char in str(self.scope_ids.usage_id))
        return ScreenRenderer(self.parsed, uid, self.gettext, self.dossier_code,
                              str(self.scope_ids.user_id))

    def student_view(self, context=None):
        """The practice: persona card, the service's frame and the learner's current screen."""
        _ = self.gettext
        try:
            renderer = self.renderer()
        except ScenarioError as error:
            log.error("Practice %s has an unusable scenario: %s", self.scope_ids.usage_id, error)
            message = _("This practice cannot be shown: its scenario has errors.")
            return Fragment(f'<div class="dps-practice"><p role="alert">{message}'
                            "</p></div>")
        progress = self.current_progress()
        fragment = Fragment(renderer.page(self.display_name, progress))
        fragment.add_css(loader.load_unicode("static/css/practice.css"))
        fragment.add_javascript(loader.load_unicode("static/js/practice.js"))
        fragment.initialize_js("DpsPractice", {
            "revision": progress.revision,
            "lang": self.parsed.lang,
            "strings": {
                "show": _("Show"),
                "hide": _("Hide"),
                "network": _("The practice could not reach the server. Check the connection "
                             "and try again; nothing was lost."),
                "restart": _("Start again"),
                "restartConfirm": _("Press again to start from the beginning (your best score "
                                    "is kept)"),
            },
        })
        return fragment

    def student_view_data(self, context=None):
        """The practice for the mobile apps: screens and labels, never the answers."""
        scenario = self.parsed
        return {
            "display_name": self.display_name,
            "title": scenario.title,
            "app": scenario.app,
            "frame": scenario.frame,
            "start": scenario.start,
            "screens": [
                {
                    "id": screen.id,
                    "title": fill_persona(screen.title, scenario.persona),
                    "search": None if screen.search is None else {
                        "label": screen.search.label, "submit": screen.search.submit},
                    "end": screen.end,
                    "actions": [{"id": action.id, "label": action.label}
                                for action in screen.actions],
                    "fields": [
                        {"id": field.id, "kind": field.kind, "label": field.label,
                         "optional": field.optional,
                         "options": [{"value": option.value, "label": option.label}
                                     for option in field.options],
                         "files": [{"name": sample.name, "type": sample.type,
                                    "size": sample.size} for sample in field.files]}
                        for field in (screen.form.fields if screen.form else ())
                    ],
                }
                for screen in scenario.screens
            ],
        }

    def index_dictionary(self):
        """Course search sees the practice's name and the titles and text of its screens."""
        index = super().index_dictionary()
        try:
            scenario = self.parsed
        except ScenarioError:
            return index
        words = [scenario.title] + [screen.title for screen in scenario.screens]
        words += [item.text for screen in scenario.screens for item in screen.content
                  if hasattr(item, "text")]
        index.setdefault("content", {}).update(
            display_name=self.display_name, text=" ".join(words))
        index["content_type"] = "Practice"
        return index

    def validate_field_data(self, validation, data):
        """Studio refuses to save a scenario with problems, listing each with its line."""
        try:
            load_scenario(data.scenario)
        except ScenarioError as error:
            for problem in error.problems:
                validation.add(ValidationMessage(ValidationMessage.ERROR, str(problem)))
        if data.weight is not None and not (math.isfinite(data.weight) and data.weight >= 0):
            validation.add(ValidationMessage(
                ValidationMessage.ERROR, f"weight must be a number of 0 or more, "
                f"{data.weight} given"))

    def clean_studio_edits(self, data):
        """Keep the scenario as the bare element Studio's export will write back, without an
        XML declaration or anything else outside it."""
        text = data.get("scenario")
        if isinstance(text, str):
            try:
                data["scenario"] = etree.tostring(parse_xml_text(text), encoding="unicode")
            except ScenarioError:
                pass  # left as typed: validate_field_data reports the problem

    @XBlock.handler
    def submit_studio_edits(self, request, suffix=""):
        """Studio's save, after checking the request's shape, so that a malformed save is a
        clear 400 and not an error inside the platform's editing mixin."""
        try:
            data = json.loads(request.body.decode("utf-8"))
            values, defaults = data["values"], data["defaults"]
            if not isinstance(values, dict) or not isinstance(defaults, list):
                raise TypeError
            if "scenario" in values and not isinstance(values["scenario"], str):
                raise TypeError
            if "weight" in values and not math.isfinite(float(values["weight"])):
                raise ValueError
        except (UnicodeDecodeError, ValueError, RecursionError, KeyError, TypeError):
            body = {"error": self.gettext("The settings could not be read: send the values as "
                                          "JSON, with a text scenario and a finite weight.")}
            return Response(json.dumps(body), status=400, content_type="application/json",
                            charset="utf-8")
        return super().submit_studio_edits(request, suffix)

    def max_score(self):
        """Raw points of the practice; the platform scales them by `weight`."""
        return 1.0

    def has_submitted_answer(self):
        """A learner has an answer once a whole run of the practice has been finished."""
        return self.progress.get("best_score") is not None

    def get_score(self):
        """The best score earned so far."""
        return Score(raw_earned=float(self.progress.get("best_score") or 0.0),
                     raw_possible=self.max_score())

    def set_score(self, score):
        """Persist a score given by the platform (rescoring keeps the learner's position)."""
        progress = self.current_progress()
        self.progress = {**progress.to_dict(),
                         "best_score": score.raw_earned / (score.raw_possible or 1.0)}

    def calculate_score(self):
        """Recompute the score from the learner's recorded steps."""
        return Score(raw_earned=evaluation.score(self.parsed, self.current_progress()),
                     raw_possible=self.max_score())

    @json_request
    def submit(self, data):
        """Apply an action or a form submission to the current screen."""
        scenario, progress = self._checked_request(data)
        screen = scenario.screen(progress.screen)
        _ = self.gettext

        if "action" in data:
            action = screen.action(data["action"]) if isinstance(data["action"], str) else None
            if action is None:
                raise RequestError(400, _("This screen has no such button."))
            outcome = evaluation.choose_action(scenario, progress, action)
        elif "procedure" in data:
            if screen.search is None:
                raise RequestError(400, _("This screen has no search."))
            procedure = data["procedure"]
            if not isinstance(procedure, str) or scenario.procedure(procedure) is None:
                raise RequestError(400, _("There is no such procedure in the catalogue."))
            outcome = evaluation.open_procedure(scenario, progress, procedure)
        elif "values" in data:
            values = data["values"]
            if screen.form is None:
                raise RequestError(400, _("This screen has no form to send."))
            if not isinstance(values, dict) or not all(
                    isinstance(key, str) and isinstance(value, str)
                    for key, value in values.items()):
                raise RequestError(400, _("Form values must be text, named by field."))
            unknown = set(values) - {field.id for field in screen.form.fields}
            if unknown:
                raise RequestError(400, _("This form has no field named {name}.").format(
                    name=", ".join(sorted(unknown))))
            outcome = evaluation.submit_form(scenario, progress, values, self.dossier_code)
        else:
            raise RequestError(400, _("Send either an action or form values."))

        self._save(outcome.progress)
        if outcome.just_finished:
            self._publish_results(outcome.progress)
        return self._state_response(outcome.progress, outcome)

    @json_request
    def search(self, data):
        """Search the practice catalogue; searching is free, opening a result is the answer."""
        scenario, progress = self._checked_request(data)
        query = data.get("query")
        if scenario.screen(progress.screen).search is None:
            raise RequestError(400, self.gettext("This screen has no search."))
        if not isinstance(query, str):
            raise RequestError(400, self.gettext("The search words must be text."))
        if not query.strip():
            return {"revision": progress.revision, "results": [],
                    "html": self.renderer().results(None)}
        found = catalogue_search.search(search_index(scenario), query)
        return {"revision": progress.revision, "results": found,
                "html": self.renderer().results(found)}

    @json_request
    def hint(self, data):
        """Show the current screen's hint; asking never costs points."""
        scenario, progress = self._checked_request(data)
        progress = evaluation.take_hint(progress)
        self._save(progress)
        hint = self.fill(scenario.screen(progress.screen).hint)
        return {"hint": hint, "revision": progress.revision}

    @json_request
    def restart(self, data):
        """Start the practice again from the first screen, keeping the best score."""
        revision = data.get("revision")
        progress = self.current_progress()
        if type(revision) is not int or revision != progress.revision:
            raise RequestError(409, self.gettext(
                "The practice changed in another window; the page now shows where you are."),
                **self._state_response(progress))
        progress = evaluation.restart(self.parsed, progress)
        self._save(progress)
        return self._state_response(progress)

    def _checked_request(self, data):
        """The scenario and progress, after checking that the request is about the current
        screen of the current state; anything else is refused before any change."""
        _ = self.gettext
        try:
            scenario = self.parsed
        except ScenarioError as error:
            log.error("Practice %s has an unusable scenario: %s", self.scope_ids.usage_id, error)
            raise RequestError(503, _("This practice is not available: its scenario has "
                                      "errors.")) from None
        progress = self.current_progress()
        revision, screen = data.get("revision"), data.get("screen")
        if type(revision) is not int or not isinstance(screen, str):
            raise RequestError(400, _("The request must name the screen and the revision."))
        if revision != progress.revision or screen != progress.screen:
            raise RequestError(409, _("The practice changed in another window; the page now "
                                      "shows where you are."), **self._state_response(progress))
        return scenario, progress

    def _save(self, progress):
        self.progress = progress.to_dict()

    def _publish_results(self, progress):
        """Grade and completion, both computed here from the learner's recorded steps."""
        self.runtime.publish(self, "grade", {
            "value": progress.best_score, "max_value": self.max_score()})
        self.emit_completion(1.0)

    def _state_response(self, progress, outcome=None):
        """What the page needs to show the learner's current screen and the last verdict."""
        _ = self.gettext
        body = {
            "revision": progress.revision,
            "screen": progress.screen,
            "html": self.renderer().screen(progress),
            "finished": progress.finished,
            "score": _percent(progress.best_score),
        }
        if outcome is not None:
            body.update(
                correct=outcome.correct,
                feedback=" ".join(self.say(item) for item in outcome.feedback),
                errors={field_id: " ".join(self.say(problem) for problem in problems)
                        for field_id, problems in outcome.field_errors},
                privacy_warning=_(
                    "This is practice: please do not type your own ID number, phone number or "
                    "e-mail. Use the practice details shown above. Nothing you typed was kept."
                ) if outcome.privacy_warning else "",
                privacy_fields=list(outcome.privacy_fields),
            )
        return body

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        """Read the block from OLX: attributes become settings, `<scenario>` the content.

        A scenario with errors is refused with every problem listed, so that a broken
        practice never reaches learners.
        """
        block = runtime.construct_xblock_from_class(cls, keys)
        for name in ("display_name", "weight"):
            if node.get(name) is not None:
                setattr(block, name, cls.fields[name].from_string(node.get(name)))
        scenario_nodes = [child for child in node if child.tag == "scenario"]
        if len(scenario_nodes) > 1:
            raise ScenarioError([Problem(
                scenario_nodes[1].sourceline or 1, "the block holds more than one <scenario>",
                "keep one scenario per practice block")])
        if scenario_nodes:
            text = etree.tostring(scenario_nodes[0], encoding="unicode", with_tail=False)
            load_scenario(text)
            block.scenario = text
        return block

    def add_xml_to_node(self, node):
        """Write the block as OLX: settings as attributes, the scenario as a child element.

        Learner state never reaches the export: only settings and content are written.
        """
        node.tag = self.xml_element_name()
        for name in ("display_name", "weight"):
            field = self.fields[name]
            if field.is_set_on(self):
                node.set(name, field.to_string(getattr(self, name)))
        node.append(parse_xml_text(self.scenario))

    @staticmethod
    def workbench_scenarios():
        """The practice with its built-in first-steps scenario, for the XBlock workbench."""
        return [("Thực hành: những bước đầu tiên",
                 '<dps_practice display_name="Thực hành: những bước đầu tiên"/>')]


def _percent(value):
    return None if value is None else round(value * 100)
