"""Django settings for the local preview, based on the XBlock workbench's own.

Differences from `workbench.settings`: the database and the log live in the state folder
(environment variable set by `environment.configure()`), no `djpyfs` and no `fs` service, no
admin, DEBUG off and only loopback host names, our own URLs, templates and static files, and an
i18n service that reads the package's bundled catalogue. Course files take `/static/`, as OLX
links expect, so the workbench's and our own assets are served under `/assets/`.
"""

import os
import secrets
from pathlib import Path

import workbench

from dps_xblocks.preview.environment import (
    DATABASE_FILE,
    DEFAULT_STATE_DIR,
    LOG_FILE,
    STATE_DIR_ENV,
)

STATE_DIR = Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR).resolve()
PREVIEW_DIR = Path(__file__).resolve().parent
WORKBENCH_STATIC_DIR = Path(workbench.__file__).resolve().parent / "static" / "workbench"
PREVIEW_STATIC_DIR = PREVIEW_DIR / "static" / "dps_preview"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Nothing long-lived is signed (no sessions; CSRF cookies do not use the key), so a key made
# fresh at every start is enough and keeps a shared secret out of the repository.
SECRET_KEY = os.environ.get("DPS_PREVIEW_SECRET_KEY") or secrets.token_urlsafe(50)

INSTALLED_APPS = [
    # The workbench runtime looks up the user model when it is imported.
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "workbench",
    "dps_xblocks.preview",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dps_xblocks.preview.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.static",
            ],
            "debug": False,
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(STATE_DIR / DATABASE_FILE),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/assets/"

CSRF_FAILURE_VIEW = "dps_xblocks.preview.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything goes to the log file, nothing to the console: the command prints one line when it
# is ready and one when it stops. Django's own `django` and `django.server` loggers write to the
# console by default, so they are redirected here too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(STATE_DIR / LOG_FILE),
            "maxBytes": 1_000_000,
            "backupCount": 2,
            "encoding": "utf-8",
            "delay": True,
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["file"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["file"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["file"], "level": "INFO", "propagate": False},
        "py.warnings": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}

WORKBENCH = {
    "reset_state_on_restart": False,
    "services": {
        "settings": "workbench.services.SettingsService",
        "i18n": "dps_xblocks.preview.i18n.PackageCatalogueI18nService",
    },
}
