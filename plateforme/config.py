"""Settings, read from the environment.

`PLATEFORME_ENV` picks the profile and must be set: ``development`` (what `make run` sets),
``production`` or ``testing``. The app refuses to start without it, so that a server never
runs the development profile (a published key, no Secure cookie, no HSTS) by omission; only
the schema commands (`flask db upgrade`, `db check`…) run without it.
Outside development and testing, ``SECRET_KEY`` must hold at least 32 random bytes and
``SITE_URL`` must name the site's public address.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
# Where `make run` writes the address of the private Redis it starts for the page cache, so
# that `flask` commands run beside it announce their writes there too (plateforme/devserver.py).
DEV_CACHE_FILE = INSTANCE_DIR / "page-cache.url"
ENVIRONMENTS = ("development", "testing", "production")
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"
MIN_SECRET_KEY_BYTES = 32
KEY_ADVICE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class ConfigError(RuntimeError):
    """Raised at start-up when a required setting is missing or unsafe."""


def _schema_command() -> bool:
    """Whether this process is `flask … db …` (migrations): it serves nothing and signs
    nothing, so it needs no profile — an operator or a check may upgrade a database without
    one. Every other start, gunicorn's and `flask run` included, needs one. Read from the
    command line, since Flask builds the app before click has chosen the command."""
    program = sys.argv[0] if sys.argv else ""
    if not (Path(program).name == "flask" or program.endswith(f"flask{os.sep}__main__.py")):
        return False
    words = iter(sys.argv[1:])
    for word in words:
        if word in ("--app", "-A", "--env-file", "-e"):
            next(words, None)  # the option's value
        elif not word.startswith("-"):
            return word == "db"  # the first word that is no option names the command
    return False


def _environment(overrides: dict) -> str:
    env = overrides.get("ENV_NAME") or os.environ.get("PLATEFORME_ENV", "").strip()
    if not env and _schema_command():
        return "development"
    if not env:
        raise ConfigError(
            "PLATEFORME_ENV is not set. On a server set PLATEFORME_ENV=production (with SECRET_KEY, "
            "DATABASE_URL…); on a workstation use `make run`, which sets PLATEFORME_ENV=development.")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PLATEFORME_ENV={env!r} is not one of: {', '.join(ENVIRONMENTS)}.")
    return env


def _checked_secret_key(secret_key: str | None) -> str:
    """Outside development, a key that signs sessions and tokens is not guessable."""
    if not secret_key:
        raise ConfigError(f"SECRET_KEY must be set outside development: at least {MIN_SECRET_KEY_BYTES} "
                          f"random bytes, for example the output of: {KEY_ADVICE}")
    if secret_key == DEVELOPMENT_SECRET_KEY or len(secret_key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(f"SECRET_KEY is too short or is the development key: use at least "
                          f"{MIN_SECRET_KEY_BYTES} random bytes, for example the output of: {KEY_ADVICE}")
    return secret_key


def _checked_site_url(site_url: str | None, development: bool) -> str | None:
    """The public address links in emails, PDF kits and printed codes start with. Required
    outside development: a consumer has no request to take a host from, and a request's Host
    is the client's to choose (a forged one would put another site in a password-reset link)."""
    site_url = (site_url or "").strip().rstrip("/")
    if not site_url:
        if development:
            return None
        raise ConfigError("SITE_URL must be set outside development: the site's public address, "
                          "for example https://plateforme.example.fr (links in emails start with it).")
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ConfigError(f"SITE_URL={site_url!r}: use a scheme and a host only, for example "
                          "https://plateforme.example.fr (no path, no query).")
    return site_url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _task_queue_url(env: str) -> str:
    if os.environ.get("TASK_QUEUE_URL"):
        return os.environ["TASK_QUEUE_URL"].strip()
    if env == "testing":
        return "immediate"
    if env == "production":
        return "redis://127.0.0.1:6379/0"
    return f"sqlite:///{INSTANCE_DIR / 'tasks.sqlite'}"


def running_dev_cache() -> str | None:
    """The address of the Redis a running `make run` started (a Unix socket), if it answers."""
    try:
        url = DEV_CACHE_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    probe = socket.socket(socket.AF_UNIX)
    try:
        probe.connect(url.removeprefix("unix://"))  # a server killed outright leaves its file behind
    except OSError:
        return None
    finally:
        probe.close()
    return url


def _default_cache_type(env: str, dev_cache: str | None) -> str:
    """Redis in production, and in development beside a running `make run` (its private
    Redis). Otherwise, in development, one process's memory, but only when no consumer
    writes beside the web server: its memory never hears of the consumer's writes (a survey
    published, a phase announced), and visitors were shown the page as it was before them."""
    if env not in ("development", "testing"):
        return "RedisCache"
    if dev_cache:
        return "RedisCache"
    if env == "testing" or _task_queue_url(env) != "immediate":
        return "NullCache"
    return "SimpleCache"


def load_config(overrides: dict | None = None) -> dict:
    """Build the settings dict for `create_app` from the environment, then `overrides`."""
    overrides = dict(overrides or {})
    env = _environment(overrides)
    development = env in {"development", "testing"}
    dev_cache = running_dev_cache() if env == "development" else None

    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not development:
        secret_key = _checked_secret_key(secret_key)

    site_url = _checked_site_url(overrides.pop("SITE_URL", None) or os.environ.get("SITE_URL"), development)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'plateforme.sqlite'}"
    # Heroku-style URLs name the old driver; psycopg 3 is the one we ship.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    config = {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key or DEVELOPMENT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SITE_URL": site_url,
        # A server connection can drop between requests: test it at checkout. A SQLite file
        # cannot, and the ping would be a statement more on every request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000")),
        # Rate limits: memory in development, Redis (redis://127.0.0.1:6379/0) in production.
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "RATELIMIT_STORAGE_URI", "memory://" if development else "redis://127.0.0.1:6379/0"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Redis down: each process counts in its own memory meanwhile, rather than refusing
        # every limited request (sign-in, posting) with a server error.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Public pages kept for visitors (core/page_cache.py). Several processes (gunicorn
        # workers, the task consumer) must share it, hence Redis in production. Tests switch
        # it on where they check it ("NullCache": no cache).
        "CACHE_TYPE": os.environ.get("CACHE_TYPE", _default_cache_type(env, dev_cache)),
        "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL") or dev_cache or "redis://127.0.0.1:6379/1",
        "CACHE_KEY_PREFIX": "plateforme:",
        "CACHE_NO_NULL_WARNING": True,
        # SimpleCache makes room by evicting its oldest entries, the change counters first: a
        # limit no development instance reaches (Redis: maxmemory-policy volatile-lru, README).
        "CACHE_THRESHOLD": 100_000,
        # A safety net only: freshness comes from what was written (core/page_cache.py).
        "CACHE_DEFAULT_TIMEOUT": int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "600")),
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies stand in front of the application and set X-Forwarded-For
        # (and -Proto, -Host). 0 trusts none of these headers: the address is the connection's.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Mail: "log" prints messages to the log, "smtp" sends them, "memory" keeps them
        # in app.extensions["mail_outbox"] (tests).
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "log" if development else "smtp"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "plateforme <ne-pas-repondre@plateforme.localhost>"),
        # Failed sends are tried again after base × 2^(attempt − 1) seconds, at most the
        # maximum, until MAIL_MAX_ATTEMPTS have failed; a claimed batch is another consumer's
        # to take back after MAIL_LEASE_SECONDS (core/outbox_sender.py).
        "MAIL_RETRY_BASE_SECONDS": int(os.environ.get("MAIL_RETRY_BASE_SECONDS", "60")),
        "MAIL_RETRY_MAX_SECONDS": int(os.environ.get("MAIL_RETRY_MAX_SECONDS", str(6 * 3600))),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "10")),
        "MAIL_LEASE_SECONDS": int(os.environ.get("MAIL_LEASE_SECONDS", "300")),
        # Sent and failed mail is deleted from the outbox after this many days (addresses).
        "MAIL_RETENTION_DAYS": int(os.environ.get("MAIL_RETENTION_DAYS", "30")),
        # Messages sent over one SMTP connection before the next batch is claimed.
        "MAIL_BATCH_SIZE": int(os.environ.get("MAIL_BATCH_SIZE", "100")),
        # The task queue (core/tasks.py): a SQLite file in instance/ by default, Redis in
        # production (shared by every web server and consumer); "immediate" runs each task
        # when it is enqueued (tests).
        "TASK_QUEUE_URL": _task_queue_url(env),
        # Sites sharing one Redis each need their own queue name.
        "TASK_QUEUE_NAME": os.environ.get("TASK_QUEUE_NAME", "plateforme"),
        "SITE_NAME": os.environ.get("SITE_NAME", "plateforme"),
        # The site shows invented data (`make run` loads the demo): one banner says so on every page.
        "DEMO_DATA": _bool("DEMO_DATA", False),
        # Who runs this instance: shown in the legal notices and the privacy page.
        "OPERATOR_NAME": os.environ.get("OPERATOR_NAME", "Instance de démonstration de plateforme"),
        "OPERATOR_ADDRESS": os.environ.get("OPERATOR_ADDRESS", "adresse postale à compléter par l'exploitant"),
        "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL", "contact@plateforme.localhost"),
        "DPO_EMAIL": os.environ.get("DPO_EMAIL", "dpo@plateforme.localhost"),
        "HOSTING_PROVIDER": os.environ.get("HOSTING_PROVIDER", "hébergeur à compléter par l'exploitant"),
        "HOME_TERRITORY": os.environ.get("HOME_TERRITORY", "200046977"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "LANGUAGES": ("fr", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
        # Server-side ends of a sign-in (auth_session rows), whatever the cookie says: at most
        # this many days after signing in, or after the last visit.
        "SESSION_ABSOLUTE_DAYS": int(os.environ.get("SESSION_ABSOLUTE_DAYS", "30")),
        "SESSION_IDLE_DAYS": int(os.environ.get("SESSION_IDLE_DAYS", "14")),
        # The last visit is recorded at most this often (not a write per request).
        "SESSION_TOUCH_SECONDS": 3600,
        # Accounts with no sign-in for this long are erased by `flask accounts purge-inactive`.
        "ACCOUNT_RETENTION_DAYS": int(os.environ.get("ACCOUNT_RETENTION_DAYS", str(3 * 365))),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so long forms do not expire
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024))),
        "HSTS": not development,
        "CONFIRM_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "RESET_TOKEN_MAX_AGE": 3600,
        # The link sent to the former address when the email changes, which undoes the change.
        "EMAIL_REVERT_TOKEN_MAX_AGE": 30 * 24 * 3600,
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "demo-plateforme-2026"),
        # How long after posting a comment its author may still correct it (debate/editing.py).
        "DEBATE_EDIT_WINDOW_MINUTES": int(os.environ.get("DEBATE_EDIT_WINDOW_MINUTES", "15")),
        # Reports by this many different people hide a contribution pending review, unless the
        # territory's moderation rules say otherwise (debate/reports.py).
        "DEBATE_REPORT_THRESHOLD": int(os.environ.get("DEBATE_REPORT_THRESHOLD", "3")),
        # An overdue commitment is recalled to its territory's officials again after this many
        # days while it stays overdue (consultations/schedule.py).
        "COMMITMENT_REMINDER_DAYS": max(1, int(os.environ.get("COMMITMENT_REMINDER_DAYS", "7"))),
    }
    config.update(overrides)
    return config
