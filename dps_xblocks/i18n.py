"""An XBlock `i18n` service that translates with the catalogue bundled in this package.

Open edX looks for a block's own translations in
`<top-level package>/translations/<locale>/LC_MESSAGES/text.mo` (gettext domain `text`),
found through `importlib.resources`. This module loads that file the same way, so that tests and
the local preview show the block in a language exactly as the platform would, without Django or
the platform's settings. A msgid missing from the catalogue, or a language with no catalogue,
is shown as the msgid itself, which is English.
"""

import gettext
import io
import re
from functools import lru_cache
from importlib import resources

PACKAGE = __package__
DOMAIN = "text"


def locale_candidates(language: str) -> list[str]:
    """The catalogue folders to try for a language code, most specific first.

    "pt-br" and "pt_BR" both give ["pt_BR", "pt"]; "vi" gives ["vi"]. The folder names follow
    the platform's style: language in lower case, region in upper case, script in title case.
    Anything but letters, digits, "-" and "_" gives no candidate, so a language code can never
    name a path outside the package's catalogues.
    """
    parts = [part for part in re.split(r"[-_]", language.strip()) if part]
    if not parts or not all(part.isascii() and part.isalnum() for part in parts):
        return []
    parts[0] = parts[0].lower()
    for index, part in enumerate(parts[1:], start=1):
        parts[index] = part.title() if len(part) == 4 else part.upper()
    full = "_".join(parts)
    return [full] if full == parts[0] else [full, parts[0]]


@lru_cache(maxsize=16)
def _catalogue_bytes(locale: str) -> bytes | None:
    """The compiled catalogue of one locale folder, or None when the package ships none."""
    path = resources.files(PACKAGE).joinpath("translations", locale, "LC_MESSAGES",
                                              f"{DOMAIN}.mo")
    try:
        return path.read_bytes()
    except OSError:
        return None


def load_catalogue(language: str) -> gettext.NullTranslations:
    """A fresh translations object for `language`: the bundled catalogue, or the identity.

    Each call returns a new object, so a caller may `add_fallback` to it (the preview chains
    Django's translations) without changing what other callers see.
    """
    for locale in locale_candidates(language):
        data = _catalogue_bytes(locale)
        if data is not None:
            return gettext.GNUTranslations(io.BytesIO(data))
    return gettext.NullTranslations()


class BundledCatalogueService:
    """The `i18n` service for one language, reading only this package's bundled catalogue.

    XBlock code may call either the Python 3 names (`gettext`, `ngettext`) or the older ones
    (`ugettext`, `ungettext`) that the platform's service still offers; both work here.
    """

    def __init__(self, language: str):
        self.language = language
        self._translations = load_catalogue(language)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.language!r})"

    def gettext(self, message: str) -> str:
        """The translation of `message`, or `message` itself."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        """The translation of the form of a message that suits `number`."""
        return self._translations.ngettext(singular, plural, number)

    ugettext = gettext
    ungettext = ngettext
