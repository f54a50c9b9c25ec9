"""Refuse translation catalogues that would show a learner an untranslated or broken message.

    .venv/bin/python scripts/check_translations.py        (or: make check-translations)

For every `translations/<locale>/LC_MESSAGES/text.po` it fails when a msgid marked in the source
is missing, a translation is empty or fuzzy, a translation's `{placeholders}` differ from its
msgid's, an entry is no longer in the source, `msgfmt --check` objects, or the shipped
`dps_xblocks/translations/<locale>/LC_MESSAGES/text.mo` is not exactly what msgfmt makes of
the `.po` (someone forgot `make translations`). The test suite runs the same checks.
"""

import sys

from catalogues import all_problems, locales


def main() -> int:
    """Print every problem and return 1, or say what was checked and return 0."""
    problems = all_problems()
    if problems:
        print(*problems, sep="\n", file=sys.stderr)
        print(f"{len(problems)} translation problem(s).", file=sys.stderr)
        return 1
    print(f"Catalogues complete and compiled: {', '.join(locales())}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
