"""url_names: present on every block, ASCII `[A-Za-z0-9_-]`, unique in the whole course.

The url_name is the identity of learner state. The platform replaces a missing or duplicate one
with a hash of the block's content, which changes with every edit and orphans the learners'
answers and grades. It accepts non-ASCII letters and spaces without complaint, but they break
usage ids and links, so they are refused here. A url_name shared by two blocks of different
types does import, yet olxcleaner and policy.json (keyed `type/url_name` but looked up by name)
then confuse the two; it is refused too.
"""

import re
import unicodedata

from .checks_structure import Outline
from .validation_findings import Finding, error

URL_NAME = re.compile(r"[A-Za-z0-9_-]+")


def check_url_names(outline: Outline) -> list[Finding]:
    """Report blocks with a missing, badly spelled or repeated url_name."""
    findings = []
    first_use = {}
    for block in outline.blocks:
        name = block.url_name
        if name is None:
            label = block.element.get("display_name")
            what = f"<{block.kind} display_name={label!r}>" if label else f"<{block.kind}>"
            findings.append(error(
                block.file, block.line, f"{what} has no url_name; the platform would invent "
                "one that changes with every edit and loses learner state",
                'add url_name="..." with a short ASCII name unique in the course', "url-name"))
            continue
        if not URL_NAME.fullmatch(name):
            findings.append(error(
                block.file, block.line, f"the url_name {name!r} of this <{block.kind}> has "
                "characters other than ASCII letters, digits, '_' and '-'",
                f"rename it, for instance to {suggest_ascii_name(name)!r}; a pointer's file "
                "is renamed with it", "url-name"))
        if name in first_use:
            first = first_use[name]
            if first.kind == block.kind:
                message = (f"the url_name {name!r} is used by two <{block.kind}> blocks (first "
                           f"at {first.file}:{first.line}); the platform keeps only one of them")
            else:
                message = (f"the url_name {name!r} is used by a <{first.kind}> at "
                           f"{first.file}:{first.line} and again by this <{block.kind}>")
            findings.append(error(block.file, block.line, message,
                                  "give every block its own url_name", "url-name"))
        else:
            first_use[name] = block
    return findings


def suggest_ascii_name(name: str, allowed: str = "_-") -> str:
    """An ASCII spelling of `name`: Vietnamese letters without their marks, spaces as '_'."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    letters = []
    for char in plain:
        if unicodedata.combining(char):
            continue
        if char.isascii() and (char.isalnum() or char in allowed):
            letters.append(char)
        else:
            letters.append("_")
    return re.sub(r"_+", "_", "".join(letters)).strip("_") or "name"
