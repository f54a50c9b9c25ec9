"""Set up Django for the preview: settings module, state folder, database tables.

Kept apart from `settings` because the settings module reads the state folder from the
environment when it is first imported, so nothing may import it before `configure()` runs.
"""

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SETTINGS_MODULE = "dps_xblocks.preview.settings"
STATE_DIR_ENV = "DPS_PREVIEW_STATE_DIR"
DEFAULT_STATE_DIR = Path("var/preview")
DATABASE_FILE = "preview.sqlite3"
LOG_FILE = "preview.log"


class PreviewSetupError(Exception):
    """The preview's Django cannot be set up as asked (state folder, database, other settings)."""


def prepare_state_dir(state_dir: Path) -> Path:
    """Create the state folder if needed and return its absolute path."""
    state_dir = Path(state_dir).resolve()
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PreviewSetupError(
            f"state folder {state_dir} cannot be created ({exc.strerror}); pass --state-dir "
            "with a writable folder"
        ) from None
    if not os.access(state_dir, os.W_OK):
        raise PreviewSetupError(
            f"state folder {state_dir} is not writable; pass --state-dir with a writable folder"
        )
    return state_dir


def configure(state_dir: Path = DEFAULT_STATE_DIR) -> None:
    """Set Django up with the preview's settings on `state_dir` and create the database tables.

    Safe to call again in the same process with the same folder. Django can only be set up once
    per process, so a second call with another folder, or after Django was set up with other
    settings, raises `PreviewSetupError` naming both.
    """
    import django
    from django.conf import settings

    state_dir = prepare_state_dir(state_dir)
    if settings.configured:
        _check_existing_settings(settings, state_dir)
    else:
        os.environ[STATE_DIR_ENV] = str(state_dir)
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        django.setup()
    create_tables()
    log.info("Preview state in %s", state_dir)


def _check_existing_settings(settings, state_dir: Path) -> None:
    """Accept Django already set up only if it is ours, on the same state folder."""
    module = getattr(settings, "SETTINGS_MODULE", None)
    if module != SETTINGS_MODULE:
        raise PreviewSetupError(
            f"Django is already set up with settings {module!r} in this process; the preview "
            f"needs {SETTINGS_MODULE!r} (set DJANGO_SETTINGS_MODULE to it before Django starts)"
        )
    database = Path(settings.DATABASES["default"]["NAME"])
    if database.parent != state_dir:
        raise PreviewSetupError(
            f"the preview is already set up on state folder {database.parent} in this process, "
            f"not {state_dir}; use one state folder per process"
        )


def create_tables() -> None:
    """Create or update the database tables, with or without the workbench's migrations.

    xblock-sdk 0.14 ships its model without migrations and 0.15 with them; `--run-syncdb`
    covers both.
    """
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    except DatabaseError as exc:
        from django.conf import settings

        raise PreviewSetupError(
            f"state database {settings.DATABASES['default']['NAME']} cannot be used ({exc}); "
            "move it away to start with fresh learner state"
        ) from None
