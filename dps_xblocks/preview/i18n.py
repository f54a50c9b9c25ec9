"""The preview's XBlock `i18n` service: the package's bundled catalogue, then Django's.

The workbench's own service only knows Django's catalogues, so the practice blocks would show
their English msgids in the preview. This service translates first with the catalogue bundled
in `dps_xblocks` (read by `dps_xblocks.i18n`, the way the platform finds it) for the active
Django language, and falls back to Django's translations for anything else.
"""

import gettext
from functools import lru_cache

from django.utils import translation

from dps_xblocks.i18n import load_catalogue


@lru_cache(maxsize=16)
def _translations_for(language: str) -> gettext.NullTranslations:
    """The bundled catalogue for `language` with Django's translations behind it."""
    translations = load_catalogue(language)
    translations.add_fallback(_DjangoTranslations())
    return translations


class PackageCatalogueI18nService:
    """Translate with the `dps_xblocks` catalogue for the active language, then with Django's.

    The workbench instantiates this class from `settings.WORKBENCH["services"]["i18n"]` and
    sets `runtime` on it; the service does not need the runtime.
    """

    runtime = None

    @staticmethod
    def _translations() -> gettext.NullTranslations:
        return _translations_for(translation.get_language() or "vi")

    def gettext(self, message: str) -> str:
        """Translate `message`."""
        return self._translations().gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        """Translate a message whose form depends on `number`."""
        return self._translations().ngettext(singular, plural, number)

    ugettext = gettext
    ungettext = ngettext

    def __getattr__(self, name):
        """Anything else (`get_language`, `pgettext`, …) comes from Django, as in Open edX."""
        return getattr(translation, name)


class _DjangoTranslations(gettext.NullTranslations):
    """Django's active translations seen through the `gettext` fallback interface."""

    def gettext(self, message):
        return translation.gettext(message)

    def ngettext(self, msgid1, msgid2, n):
        return translation.ngettext(msgid1, msgid2, n)
