"""Bring every language's catalogue up to date with the strings marked in the block's source.

    .venv/bin/python scripts/extract_strings.py        (or: make extract)

xgettext writes a template of the source's msgids; msgmerge applies it to each
`translations/<locale>/LC_MESSAGES/text.po`. A new msgid arrives untranslated, a changed one
arrives with its old translation marked fuzzy (and the old msgid as a `#|` comment) for a
translator to check, and a removed one is dropped. The English catalogue, whose msgids are its
own text, is filled in by repeating each msgid. Entries are sorted and carry no line numbers, so
a diff shows only the strings that changed. Run it twice and the second run changes nothing.

Nothing is written if xgettext misses a string that Python's parser finds (xgettext 0.21 does
not look inside f-strings): the catalogues would otherwise lose that translation silently.
Compile afterwards with `make translations`; check with `make check-translations`.
"""

import sys
import tempfile
from pathlib import Path

from catalogues import (
    SOURCE_LANGUAGE,
    ToolError,
    hidden_from_xgettext,
    locales,
    po_path,
    read_po,
    run_tool,
    source_messages,
    xgettext_template,
)


def merge(locale: str, template: Path, scratch: Path) -> None:
    """Apply the template to the catalogue of `locale`, in place."""
    catalogue = po_path(locale)
    merged = scratch / f"{locale}.merged.po"
    source_language = locale == SOURCE_LANGUAGE
    # Fuzzy guesses help a translator; in the English catalogue the msgid is the answer.
    matching = ["--no-fuzzy-matching"] if source_language else ["--previous"]
    run_tool("msgmerge", "--quiet", "--sort-output", "--no-location", *matching,
             f"--output-file={merged}", str(catalogue), str(template))
    run_tool("msgattrib", "--no-obsolete", "--sort-output", f"--output-file={merged}",
             str(merged))
    if source_language:
        run_tool("msgen", f"--output-file={merged}", str(merged))
    text = merged.read_text(encoding="utf-8")
    if text != catalogue.read_text(encoding="utf-8"):
        catalogue.write_text(text, encoding="utf-8")
        print(f"updated {catalogue}")


def main() -> int:
    """Extract, refuse if xgettext missed anything, then merge into every catalogue."""
    try:
        with tempfile.TemporaryDirectory() as directory:
            scratch = Path(directory)
            template = xgettext_template(scratch / "text.pot")
            problems = hidden_from_xgettext(read_po(template), source_messages())
            if problems:
                print("No catalogue was changed:", *problems, sep="\n", file=sys.stderr)
                return 1
            for locale in locales():
                merge(locale, template, scratch)
    except ToolError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
