"""Turning a scenario screen into HTML, on the server.

The server renders every screen, so the browser script stays small and holds no answer: it only
posts the learner's action and swaps in the HTML it gets back. Scenario text is plain text and is
always escaped. Strings of the block itself go through the `gettext` function passed in (the
platform's i18n service), so this module imports neither XBlock nor Django.
"""

import hashlib
from html import escape

from .engine import model
from .engine.checks import fill_persona
from .engine.evaluation import Progress
from .engine.formats import Message

# HTML attributes for each field kind: the right keyboard on a phone, and no autofill, so that
# a browser never offers the learner's real details in a practice form.
INPUT_ATTRIBUTES = {
    "id-number": 'type="text" inputmode="numeric" autocomplete="off" maxlength="20"',
    "phone": 'type="tel" inputmode="tel" autocomplete="off" maxlength="20"',
    "otp": 'type="text" inputmode="numeric" autocomplete="off" maxlength="12"',
    "password": 'type="password" autocomplete="new-password" maxlength="40"',
    "passcode": 'type="password" inputmode="numeric" autocomplete="off" maxlength="6"',
    "email": 'type="email" autocomplete="off" maxlength="254"',
    "text": 'type="text" autocomplete="off" maxlength="200"',
    "dossier-code": 'type="text" autocomplete="off" maxlength="40" spellcheck="false"',
}


def format_amount(amount: int) -> str:
    """An amount in đồng written the Vietnamese way: 200.000 đ."""
    return f"{amount:,} đ".replace(",", ".")


def render_message(item: Message | str, gettext) -> str:
    """A learner-facing message: engine messages are translated, author text is kept."""
    return item.render(gettext) if isinstance(item, Message) else item


def main_path_length(scenario: model.Scenario) -> int:
    """Screens with a task on the shortest correct path: the `n` of "step k of n"."""
    distance, frontier = {scenario.start: 0}, [scenario.start]
    while frontier:
        current = scenario.screen(frontier.pop(0))
        if current.end:
            return distance[current.id]
        gotos = [action.goto for action in current.actions if action.correct and action.goto]
        if current.form is not None:
            gotos.append(current.form.goto)
        if current.search is not None:
            gotos.append(current.search.goto)
        for goto in gotos:
            if goto not in distance and scenario.screen(goto) is not None:
                distance[goto] = distance[current.id] + 1
                frontier.append(goto)
    return scenario.step_count


class ScreenRenderer:
    """Renders the screens of one block instance; `uid` keeps element ids unique on the page."""

    def __init__(self, scenario: model.Scenario, uid: str, gettext, dossier_code: str = "",
                 learner: str = ""):
        self.scenario = scenario
        self.uid = uid
        self._ = gettext
        self.dossier_code = dossier_code
        self.learner = learner
        self.steps = main_path_length(scenario)

    def text(self, value: str) -> str:
        """Author text with persona details and the dossier code filled in, escaped for HTML."""
        return escape(fill_persona(value, self.scenario.persona, self.dossier_code))

    def page(self, display_name: str, progress: Progress) -> str:
        """The whole block: practice marker, persona card, the service's frame with the current
        screen, the live regions for feedback, and the hint and restart tools."""
        _ = self._
        uid, scenario, persona = self.uid, self.scenario, self.scenario.persona
        # Translated outside the f-strings below: xgettext cannot see calls inside f-strings.
        label = {
            "practice": escape(_("PRACTICE")),
            "details": escape(_("Practice details to type")),
            "hint": escape(_("Hint")),
            "show_hint": escape(_("Show a hint")),
            "read": escape(_("Read this screen aloud")),
            "restart": escape(_("Start again")),
            "best": escape(_("Your best score")),
            "how": escape(_("Each step done without a mistake counts in full; one mistake "
                            "halves it. Hints are free, and you can start again at any time.")),
        }
        badge = f'<span class="dps-marker-badge">{label["practice"]}</span>'
        details = [(_("Name"), persona.name, ""), (_("Personal ID number"), persona.id_number,
                   "dps-digits"), (_("Phone number"), persona.phone, "dps-digits"),
                   (_("Address"), persona.address, "")]
        if persona.email:
            details.append((_("E-mail"), persona.email, ""))
        lang = scenario.lang
        rows = "".join(f'<dt>{escape(label)}</dt><dd class="{css}" lang="{lang}">'
                       f"{escape(value)}</dd>" for label, value, css in details)
        marker = _("A practice copy: nothing here reaches the real service, and all details "
                   "are made up.")
        score_hidden = " hidden" if progress.best_score is None else ""
        score = "" if progress.best_score is None else str(round(progress.best_score * 100))
        return (
            # The block's own words follow the platform's language; the scenario's text is
            # marked with its own, so that a screen reader pronounces each correctly.
            f'<div class="dps-practice" id="{uid}">'
            f'<h2 class="dps-name" lang="{lang}">{escape(display_name)}</h2>'
            f'<p class="dps-marker">{badge} {escape(marker)}</p>'
            f'<section class="dps-persona" aria-labelledby="{uid}-persona">'
            f'<h3 id="{uid}-persona">{label["details"]}</h3>'
            f"<dl>{rows}</dl></section>"
            f'<div class="dps-frame dps-frame-{scenario.frame}" lang="{lang}">'
            f'<div class="dps-appbar"><span class="dps-app">{escape(scenario.app)}</span>{badge}'
            f'</div><div class="dps-stage">{self.screen(progress)}</div></div>'
            '<div class="dps-feedback" role="status" aria-live="polite" aria-atomic="true"></div>'
            '<div class="dps-privacy" role="alert" hidden></div>'
            f'<div class="dps-hint-box" hidden><h3 class="dps-hint-title">{label["hint"]}</h3>'
            '<p class="dps-hint-text" role="status"></p></div>'
            f'<div class="dps-tools"><button type="button" class="dps-hint-button">'
            f'{label["show_hint"]}</button><button type="button" class="dps-read" hidden>'
            f'{label["read"]}</button>'
            '<button type="button" class="dps-restart">'
            f'{label["restart"]}</button></div>'
            f'<p class="dps-score"{score_hidden}>{label["best"]}: '
            f'<strong class="dps-score-value">{score}</strong>%<br>'
            f'<span class="dps-help">{label["how"]}</span></p></div>'
        )

    def screen(self, progress: Progress, field_errors=()) -> str:
        """The HTML of the learner's current screen."""
        screen = self.scenario.screen(progress.screen)
        _ = self._
        step = min(len(progress.done) + 1, self.steps)
        if screen.end:
            step_text = _("Finished")
        else:
            step_text = _("Step {step} of about {steps}").format(step=step, steps=self.steps)
        parts = [
            f'<section class="dps-screen" data-screen="{escape(screen.id)}" '
            f'aria-labelledby="{self.uid}-title">',
            f'<p class="dps-step">{escape(step_text)}</p>',
            f'<h3 class="dps-screen-title" id="{self.uid}-title" tabindex="-1">'
            f"{self.text(screen.title)}</h3>",
        ]
        parts += [self.content(item) for item in screen.content]
        if screen.form is not None:
            parts.append(self.form(screen.form, dict(field_errors)))
        elif screen.search is not None:
            parts.append(self.search(screen.search))
        elif screen.actions:
            parts.append(self.actions(self.ordered(screen)))
        parts.append("</section>")
        return "".join(parts)

    def content(self, item: model.Content) -> str:
        """One content element."""
        _ = self._
        match item:
            case model.Text(text):
                return f'<p class="dps-text">{self.text(text)}</p>'
            case model.Notice(kind, text):
                label = {"info": _("Note"), "warning": _("Warning"),
                         "lesson": _("Remember")}[kind]
                return (f'<div class="dps-notice dps-notice-{kind}"><p><strong>{escape(label)}: '
                        f"</strong>{self.text(text)}</p></div>")
            case model.Sms(sender, text):
                label = escape(_("Text message"))
                heading = escape(_("SMS from {sender}").format(sender=sender))
                return (f'<div class="dps-sms" role="note" aria-label="{label}">'
                        f'<p class="dps-sms-from"><span aria-hidden="true">✉ </span>'
                        f"{heading}</p>"
                        f'<p class="dps-sms-text">{self.text(text)}</p></div>')
            case model.Data(items):
                rows = "".join(f"<dt>{self.text(entry.label)}</dt><dd>{self.text(entry.value)}</dd>"
                               for entry in items)
                return f'<dl class="dps-data">{rows}</dl>'
            case model.CardReader(mode, state):
                return self.card_reader(mode, state)
            case model.Camera(state):
                return self.camera(state)
            case model.ProcedureCard(ref):
                return self.procedure_card(self.scenario.procedure(ref))
            case model.Timeline(entries):
                return self.timeline(entries)
            case model.Payment(amount, payee, reference):
                rows = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in (
                    (_("Amount"), escape(format_amount(amount))), (_("Paid to"), self.text(payee)),
                    (_("Reference"), self.text(reference))))
                title = escape(_("Payment request"))
                return (f'<div class="dps-payment"><p class="dps-card-title"><strong>{title}'
                        f'</strong></p><dl class="dps-data">{rows}</dl></div>')
            case model.Document(title, signer, signature, items):
                return self.document(title, signer, signature, items)
            case model.Call(caller, number, text):
                heading = escape(_("Incoming call from {caller} ({number})").format(
                    caller=fill_persona(caller, self.scenario.persona), number=number))
                return (f'<div class="dps-call" role="note"><p class="dps-sms-from">'
                        f'<span aria-hidden="true">☎ </span>{heading}</p>'
                        f'<p class="dps-sms-text">“{self.text(text)}”</p></div>')
            case model.Chat(app, sender, text):
                heading = escape(_("{app} message from {sender}").format(app=app, sender=sender))
                return (f'<div class="dps-sms dps-chat" role="note"><p class="dps-sms-from">'
                        f'<span aria-hidden="true">✉ </span>{heading}</p>'
                        f'<p class="dps-sms-text">{self.text(text)}</p></div>')
            case model.Image(src, alt):
                return (f'<img class="dps-image" src="{escape(src)}" alt="{self.text(alt)}" '
                        'loading="lazy">')
        raise TypeError(f"cannot render {item!r}")

    def procedure_card(self, procedure: model.Procedure) -> str:
        """A procedure's details: who it is for, documents, fee, time, receiving agency."""
        _ = self._
        rows = [(_("What it is for"), procedure.summary), (_("Who can use it"), procedure.who),
                (_("Receiving agency"), procedure.agency), (_("Fee"), procedure.fee),
                (_("Processing time"), procedure.duration)]
        details = "".join(f"<dt>{escape(label)}</dt><dd>{self.text(value)}</dd>"
                          for label, value in rows if value)
        documents = ""
        if procedure.documents:
            items = "".join(f"<li>{self.text(document)}</li>" for document in procedure.documents)
            heading = escape(_("Documents to prepare"))
            documents = f'<p class="dps-card-subtitle">{heading}</p><ul>{items}</ul>'
        return (f'<div class="dps-procedure"><p class="dps-card-title"><strong>'
                f"{self.text(procedure.name)}</strong></p>"
                f'<dl class="dps-data">{details}</dl>{documents}</div>')

    def timeline(self, entries) -> str:
        """The status timeline as an ordered list; each state said in words, not by colour."""
        _ = self._
        words = {"done": _("done"), "current": _("now"), "todo": _("not yet")}
        marks = {"done": "✓", "current": "●", "todo": "○"}
        items = "".join(
            f'<li class="dps-status-{entry.state}"><span aria-hidden="true">'
            f"{marks[entry.state]} </span>{self.text(entry.label)}"
            f' <span class="dps-status-word">({escape(words[entry.state])}'
            f'{", " + self.text(entry.date) if entry.date else ""})</span></li>'
            for entry in entries)
        return f'<ol class="dps-timeline">{items}</ol>'

    def document(self, title, signer, signature, items) -> str:
        """An electronic result and the state of its digital signature."""
        _ = self._
        rows = "".join(f"<dt>{self.text(item.label)}</dt><dd>{self.text(item.value)}</dd>"
                       for item in items)
        if signature == "valid":
            verdict = _("Digital signature valid: signed by {signer}; the document has not "
                        "been changed since.").format(signer=fill_persona(
                            signer, self.scenario.persona))
            mark = "✓"
        else:
            verdict = _("Digital signature NOT valid: the document was changed after it was "
                        "signed, or the signature is not from {signer}.").format(
                            signer=fill_persona(signer, self.scenario.persona))
            mark = "✕"
        return (f'<div class="dps-document dps-signature-{signature}"><p class="dps-card-title">'
                f'<strong>{self.text(title)}</strong></p><dl class="dps-data">{rows}</dl>'
                f'<p class="dps-signature"><span aria-hidden="true">{mark} </span>'
                f"{escape(verdict)}</p></div>")

    def search(self, search: model.Search) -> str:
        """The catalogue search box; the results come from the server as the learner searches."""
        base = f"{self.uid}-search"
        results = escape(self._("Search results"))
        return (f'<form class="dps-search" role="search" novalidate>'
                f'<label for="{base}">{self.text(search.label)}</label>'
                f'<div class="dps-control"><input id="{base}" name="query" type="search" '
                f'autocomplete="off" maxlength="200">'
                f'<button type="submit" class="dps-submit">{self.text(search.submit)}</button>'
                f'</div></form><section class="dps-results" aria-label="{results}" '
                'aria-live="polite"></section>')

    def results(self, procedure_ids) -> str:
        """The search results: a button to open each procedure, or a line saying none; None
        means the learner searched with no words."""
        _ = self._
        if procedure_ids is None:
            empty = escape(_("Type a few words about what you need first, such as the name of "
                             "the paper."))
            return f'<p class="dps-no-results">{empty}</p>'
        if not procedure_ids:
            nothing = escape(_("No procedure matches these words. Try other words, such as the "
                               "name of the paper you need."))
            return f'<p class="dps-no-results">{nothing}</p>'
        found = escape(_("{count} procedures found. Open the one that fits your situation.")
                       .format(count=len(procedure_ids)))
        items = "".join(
            f'<li><button type="button" class="dps-open" data-procedure="{escape(procedure_id)}">'
            f"{self.text(self.scenario.procedure(procedure_id).name)}</button>"
            f'<p class="dps-help">{self.text(self.scenario.procedure(procedure_id).agency)}</p>'
            "</li>"
            for procedure_id in procedure_ids)
        return f'<p class="dps-found">{found}</p><ul class="dps-result-list">{items}</ul>'

    def card_reader(self, mode: str, state: str) -> str:
        """The card-reading illustration with its state said in words, not by colour alone."""
        _ = self._
        how = _("Chip reading by NFC") if mode == "nfc" else _("QR code scan")
        status = {"waiting": _("Waiting for the card…"), "failed": _("Could not read the card"),
                  "done": _("Card read successfully")}[state]
        icon = {"waiting": "…", "failed": "✕", "done": "✓"}[state]
        return (f'<div class="dps-device dps-device-{state}"><span class="dps-device-icon" '
                f'aria-hidden="true">{icon}</span><p><strong>{escape(how)}</strong><br>'
                f"{escape(status)}</p></div>")

    def camera(self, state: str) -> str:
        """The face-photo frame with its state said in words."""
        _ = self._
        status = {"ready": _("Camera ready: place your face in the oval"),
                  "rejected": _("Photo not accepted"),
                  "accepted": _("Photo accepted")}[state]
        icon = {"ready": "◯", "rejected": "✕", "accepted": "✓"}[state]
        return (f'<div class="dps-device dps-device-{state}"><span class="dps-device-icon" '
                f'aria-hidden="true">{icon}</span><p><strong>{escape(status)}</strong></p></div>')

    def ordered(self, screen: model.Screen) -> tuple[model.Action, ...]:
        """The screen's buttons in the order this learner sees them.

        On a scored screen the order is mixed per learner, so that the right answer is not
        always the first button; it stays the same for that learner, page after page. A screen
        whose order means something (a rating) says `order="fixed"`.
        """
        if not screen.scored or screen.fixed_order:
            return screen.actions
        return tuple(sorted(screen.actions, key=lambda action: hashlib.sha256(
            f"{self.learner}|{screen.id}|{action.id}".encode()).digest()))

    def actions(self, actions: tuple[model.Action, ...]) -> str:
        """The buttons of an actions task, in source order."""
        buttons = "".join(
            f'<button type="button" class="dps-action" data-action="{escape(action.id)}">'
            f"{self.text(action.label)}</button>"
            for action in actions
        )
        return f'<div class="dps-actions">{buttons}</div>'

    def form(self, form: model.Form, errors: dict) -> str:
        """A form task; `errors` maps field ids to the messages of the last submission."""
        fields = "".join(self.field(form_field, errors.get(form_field.id, ()))
                         for form_field in form.fields)
        return (f'<form class="dps-form" novalidate>{fields}'
                f'<button type="submit" class="dps-submit">{self.text(form.submit)}</button>'
                "</form>")

    def field(self, form_field: model.Field, problems) -> str:
        """One labelled input, with its help line and error messages tied to it for screen
        readers."""
        _ = self._
        base = f"{self.uid}-{form_field.id}"
        described = []
        label = self.text(form_field.label)
        if form_field.optional:
            optional = escape(_("optional"))
            label += f' <span class="dps-optional">({optional})</span>'
        extra = []
        if form_field.help:
            described.append(f"{base}-help")
            extra.append(f'<p class="dps-help" id="{base}-help">{self.text(form_field.help)}</p>')
        # The error line is always there, hidden while empty, so the script can fill it in
        # without re-rendering the form and losing what the learner typed.
        described.append(f"{base}-error")
        messages = " ".join(escape(render_message(problem, _)) for problem in problems)
        hidden = "" if problems else " hidden"
        extra.append(f'<p class="dps-field-error" id="{base}-error"{hidden}>{messages}</p>')
        aria = f' aria-describedby="{" ".join(described)}"'
        aria += ' aria-invalid="true"' if problems else ""
        required = "" if form_field.optional else " required"
        name = f'name="{escape(form_field.id)}" id="{base}"'
        if form_field.kind == "select":
            choose = escape(_("Choose…"))
            options = f'<option value="">{choose}</option>' + "".join(
                f'<option value="{escape(option.value)}">{self.text(option.label)}</option>'
                for option in form_field.options)
            control = f"<select {name}{aria}{required}>{options}</select>"
        elif form_field.kind == "file":
            choose = escape(_("Choose a file…"))
            options = f'<option value="">{choose}</option>' + "".join(
                f'<option value="{escape(sample.name)}">{escape(sample.name)} '
                f"({escape(sample.type)}, {escape(sample.size)})</option>"
                for sample in form_field.files)
            control = f"<select {name}{aria}{required}>{options}</select>"
        else:
            control = f"<input {name} {INPUT_ATTRIBUTES[form_field.kind]}{aria}{required}>"
        if form_field.kind in ("password", "passcode"):
            show = escape(_("Show"))
            control += (f'<button type="button" class="dps-reveal" aria-controls="{base}" '
                        f'aria-pressed="false">{show}</button>')
        return (f'<div class="dps-field dps-field-{form_field.kind}">'
                f'<label for="{base}">{label}</label>{"".join(extra)}'
                f'<div class="dps-control">{control}</div></div>')
