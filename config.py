"""Application configuration, read from the environment (and `.env`)."""

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
# The release, reported by /healthz and the OpenAPI document.
VERSION = "1.0.0"
load_dotenv(BASE_DIR / ".env")

# Values that must never protect a production deployment.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {"", "change-me", "changeme", "secret", "dev", "you-will-never-guess", "replace-me"}
)


class ConfigError(RuntimeError):
    """A configuration variable is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable as a stripped string, or the default when unset or blank."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip()


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer, failing with a message that names it."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def env_bool(name: str, default: bool = False) -> bool:
    """Return True only for 1/true/yes/on (any case)."""
    value = env_str(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    value = env_str(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int_list(name: str, default: str) -> list[int]:
    """Return a comma-separated variable of whole numbers, failing with a message that names it."""
    try:
        return [int(item) for item in env_list(name, default)]
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated whole numbers, got {env_str(name)!r}") from None


def database_url(default: str) -> str:
    """Return DATABASE_URL with the legacy `postgres://` scheme and bare drivers upgraded."""
    url = env_str("DATABASE_URL", default)
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("mysql://") or url.startswith("mariadb://"):
        url = "mysql+pymysql://" + url.split("://", 1)[1]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


# PostgreSQL's session settings for the app's connections, set when connecting (no statement of their
# own; behind PgBouncer, set them on the server instead: see the README's scaling notes):
# - jit=off: it compiles a statement to machine code once its estimated cost passes jit_above_cost.
#   Pages' statements run in milliseconds, but the planner estimates a recursive CTE (a thread's
#   replies) at millions of rows: compiling one took 1.6 s of a 1.67 s statement.
# - no parallel workers: a page reads a few dozen rows, and starting workers costs more than that. The
#   planner charges the visibility rule's hashed subquery once per row of a nested loop, so a tag's
#   page of 25 posts looked costly enough to gather from two workers: 26 ms of a 27 ms statement.
POSTGRESQL_SESSION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"


def connect_args(url: str) -> dict:
    """Return driver options: how long connecting to a server may hang, and PostgreSQL's session settings."""
    if url.startswith("postgresql"):
        return {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5), "options": POSTGRESQL_SESSION_OPTIONS}
    if url.startswith("mysql"):
        return {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5)}
    return {}


class Config:
    """Settings for a normal (development or production) run."""

    SECRET_KEY = env_str("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'app.db'}")
    # No ping before each use: a connection found dead makes SQLAlchemy replace every pooled connection
    # and a GET is answered by one retry (app/errors). Connections retire before a server or proxy could
    # drop them for idleness (MySQL's wait_timeout is 8 hours).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800, "connect_args": connect_args(SQLALCHEMY_DATABASE_URI)}

    MAIL_SERVER = env_str("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "microblog@localhost")
    ADMINS = env_list("ADMINS")
    # Seconds an RQ worker waits before each new attempt at an email that could not be sent.
    MAIL_RETRY_INTERVALS = env_int_list("MAIL_RETRY_INTERVALS", "10,60,300,1800")
    # New accounts confirm their address by an emailed link before they can use the site or the API.
    # The development .env that `make setup` writes turns it off (the console outbox sends no mail).
    REQUIRE_EMAIL_CONFIRMATION = env_bool("REQUIRE_EMAIL_CONFIRMATION", True)
    CONFIRMATION_LINK_HOURS = env_int("CONFIRMATION_LINK_HOURS", 48)

    LANGUAGES = env_list("LANGUAGES", "en,es,zh")
    MS_TRANSLATOR_KEY = env_str("MS_TRANSLATOR_KEY")
    MS_TRANSLATOR_REGION = env_str("MS_TRANSLATOR_REGION")
    LIBRETRANSLATE_URL = env_str("LIBRETRANSLATE_URL")
    LIBRETRANSLATE_API_KEY = env_str("LIBRETRANSLATE_API_KEY")

    ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
    REDIS_URL = env_str("REDIS_URL")
    LOG_TO_STDOUT = env_bool("LOG_TO_STDOUT")
    POSTS_PER_PAGE = env_int("POSTS_PER_PAGE", 25)
    # Rendered post cards each worker keeps (about 1 KB each); 0 renders every card every time.
    FRAGMENT_CACHE_SIZE = env_int("FRAGMENT_CACHE_SIZE", 20_000)
    # How long each worker keeps explore's list of the day's most used tags; 0 counts them every time.
    TRENDING_TAGS_SECONDS = env_int("TRENDING_TAGS_SECONDS", 60)
    TAG_TOTAL_SECONDS = env_int("TAG_TOTAL_SECONDS", 60)
    SERVER_NAME = env_str("SERVER_NAME")
    # FEDERATION=1 makes the site a member of the fediverse (app.federation): its accounts and posts
    # are served as ActivityPub actors and notes. It needs the public SERVER_NAME they are named by.
    FEDERATION = env_bool("FEDERATION")
    # Deliveries one remote address may make to the inboxes.
    FEDERATION_INBOX_LIMIT = env_str("FEDERATION_INBOX_LIMIT", "300 per minute")
    # With REDIS_URL, seconds between attempts at a delivery to another server: a minute, 5 and 30
    # minutes, 2, 6 and 15 hours; one whose last attempt fails waits for `flask federation deliver --retry`.
    FEDERATION_RETRY_INTERVALS = env_int_list("FEDERATION_RETRY_INTERVALS", "60,300,1800,7200,21600,54000")
    # Fetch and deliver to peers on private or loopback addresses too (a private network, or tests).
    FEDERATION_ALLOW_PRIVATE_PEERS = env_bool("FEDERATION_ALLOW_PRIVATE_PEERS")
    # How other servers are reached when only their host is known (an @name@host search): "https",
    # or "http" for peers on a private network or in tests.
    FEDERATION_PEER_SCHEME = env_str("FEDERATION_PEER_SCHEME", "https")
    # Where avatars come from: "identicon" (drawn and served by the app) or "gravatar" (www.gravatar.com).
    AVATAR_PROVIDER = env_str("AVATAR_PROVIDER", "identicon")

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = env_str("PREFERRED_URL_SCHEME", "http")
    # How many reverse proxies (nginx, a load balancer) stand in front of the app; 0 trusts none.
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

    BOOTSTRAP_SERVE_LOCAL = True
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # A Redis outage must not take the site down: count in memory until it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_AUTH = env_str("RATELIMIT_AUTH", "10 per minute")
    # Confirmation emails sent again from the "unconfirmed" page, per account.
    RATELIMIT_CONFIRMATION = env_str("RATELIMIT_CONFIRMATION", "3 per hour")
    # One budget per API token, shared by every authenticated endpoint.
    RATELIMIT_API = env_str("RATELIMIT_API", "300 per minute")
    # RATELIMIT_ENABLED=0 turns every limit off (benchmarks only: never in production).
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    # QUERY_COUNT_HEADER=1 adds an X-Query-Count header (SQL statements per request) for benchmarks.
    QUERY_COUNT_HEADER = env_bool("QUERY_COUNT_HEADER")
    # Seconds between two `last_seen` writes for one user.
    LAST_SEEN_INTERVAL = 60
    # Images on posts (app.media): the local directory, or an S3-compatible bucket when S3_BUCKET is set.
    # UPLOAD_DIR is relative to the project folder unless absolute (unset: instance/uploads).
    UPLOAD_DIR = env_str("UPLOAD_DIR")
    S3_BUCKET = env_str("S3_BUCKET")
    S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
    S3_REGION = env_str("S3_REGION")
    S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
    # Where the bucket's objects are public (a CDN or the bucket's website): /media/... redirects there.
    S3_PUBLIC_URL = env_str("S3_PUBLIC_URL")
    S3_PREFIX = env_str("S3_PREFIX", "")
    MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 8 * 1024 * 1024)
    MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
    # The body limit of the views that take images (app.web.uploads): a post's four, plus its text.
    MAX_UPLOAD_LENGTH = env_int("MAX_UPLOAD_LENGTH", 4 * MAX_IMAGE_BYTES + 1024 * 1024)
    MEDIA_PREVIEW_SIZE = env_int("MEDIA_PREVIEW_SIZE", 1024)
    # Behind nginx: the internal location serving UPLOAD_DIR (e.g. /_uploads/); the app then checks
    # each request and answers with X-Accel-Redirect, and nginx sends the file.
    MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT")
    # Seconds after which a task with no progress is reported as failed.
    TASK_STALE_AFTER = env_int("TASK_STALE_AFTER", 600)
    # Bytes of the export's posts.zip at most (mail servers refuse big attachments): past it, the
    # email carries posts.json alone and says the images were left out.
    EXPORT_MAX_ATTACHMENT_BYTES = env_int("EXPORT_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
