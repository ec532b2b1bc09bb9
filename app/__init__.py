"""The application factory."""

import logging
import sys
from logging.handlers import RotatingFileHandler, SMTPHandler
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import (
    api,
    auth,
    avatars,
    boundaries,
    cli,
    conversations,
    errors,
    federation,
    feeds,
    main,
    media,
    media_files,
    models,
    moderation_pages,
    search,
    settings,
    social,
    tasks,
    translate,
    web,
)
from app.extensions import READ_ONLY_METHODS, READS, babel, bootstrap, csrf, db, limiter, login, mail, migrate, moment
from config import PLACEHOLDER_SECRET_KEYS, VERSION, Config, ConfigError

__version__ = VERSION


def get_locale() -> str:
    """Return the UI language: the user's choice, else the browser's best match."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # Outside a request (CLI, worker) there is no reader: callers use force_locale for a user.
        return languages[0]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or languages[0]


def load_session_user(session_id: str) -> models.User | None:
    """Flask-Login's user loader: for a page (GET or HEAD) it also reads the layout's figures, in one query."""
    return models.User.from_session_id(session_id, with_page_status=request.method in READ_ONLY_METHODS)


def create_app(config_class: type = Config) -> Flask:
    """Build and configure a Microblog application."""
    app = Flask(__name__)
    app.config.from_object(config_class)
    check_secret_key(app)
    register_extensions(app)
    register_services(app)
    web.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    register_logging(app)
    return app


def check_secret_key(app: Flask) -> None:
    """Refuse a production start with a missing or well-known SECRET_KEY."""
    if app.debug or app.testing:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = "development-only-key"
        return
    if (app.config.get("SECRET_KEY") or "") in PLACEHOLDER_SECRET_KEYS:
        raise ConfigError(
            "SECRET_KEY is missing or a placeholder: set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )


def register_extensions(app: Flask) -> None:
    """Bind every extension singleton to the app."""
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = _l("Please log in to access this page.")
    login.session_protection = "basic"
    login.user_loader(load_session_user)
    csrf.init_app(app)
    # No mail server: the console outbox logs each email instead of sending it. A configured server is
    # used even when testing (Flask-Mail would otherwise drop every email silently when TESTING is on).
    app.config.setdefault("MAIL_SUPPRESS_SEND", not app.config.get("MAIL_SERVER"))
    mail.init_app(app)
    moment.init_app(app)
    babel.init_app(app, locale_selector=get_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _tune_sqlite)
        elif db.engine.dialect.name == "postgresql":
            # Its driver sends BEGIN and ROLLBACK as round trips of their own, two of the few a page
            # costs: reads of GET and HEAD requests skip both (app.extensions.ReadingSession). SQLite
            # runs in the process and MySQL's driver begins implicitly, so they read in transactions.
            # The connections come from the same pool, switched to autocommit at checkout (client-side).
            app.extensions[READS] = db.engine.execution_options(isolation_level="AUTOCOMMIT")


def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """Let SQLite serve several web processes: readers never block the writer, writers wait their turn."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def register_services(app: Flask) -> None:
    """Give the app its search, background-task, translation, conversation, avatar and media services."""
    search.init_app(app)
    tasks.init_app(app)
    translate.init_app(app)
    conversations.init_app(app)
    avatars.init_app(app)
    media.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount the blueprints: errors, auth, main, social, settings, moderation, feeds, federation (when
    on), avatars, media files and api."""
    app.register_blueprint(errors.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(main.bp)
    app.register_blueprint(social.bp)
    app.register_blueprint(settings.bp, url_prefix="/settings")
    app.register_blueprint(moderation_pages.bp)
    app.register_blueprint(boundaries.bp)
    app.register_blueprint(feeds.bp)
    federation.init_app(app)  # its blueprint, only with FEDERATION on
    app.register_blueprint(avatars.bp)
    app.register_blueprint(media_files.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    # The API authenticates with tokens, not cookies, so it needs no CSRF token.
    csrf.exempt(api.bp)


def register_logging(app: Flask) -> None:
    """Log to stdout or a rotating file, and mail errors to the admins when mail is set up."""
    if app.debug or app.testing:
        return
    if app.config["MAIL_SERVER"] and app.config["ADMINS"]:
        auth = None
        if app.config["MAIL_USERNAME"] or app.config["MAIL_PASSWORD"]:
            auth = (app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        mail_handler = SMTPHandler(
            mailhost=(app.config["MAIL_SERVER"], app.config["MAIL_PORT"]),
            fromaddr=app.config["MAIL_DEFAULT_SENDER"],
            toaddrs=app.config["ADMINS"],
            subject="Microblog failure",
            credentials=auth,
            secure=() if app.config["MAIL_USE_TLS"] else None,
            timeout=10,
        )
        mail_handler.setLevel(logging.ERROR)
        app.logger.addHandler(mail_handler)
    if app.config["LOG_TO_STDOUT"]:
        handler: logging.Handler = logging.StreamHandler(sys.stdout)
    else:
        log_dir = Path(app.root_path).parent / "logs"
        log_dir.mkdir(exist_ok=True)
        handler = RotatingFileHandler(log_dir / "microblog.log", maxBytes=1_000_000, backupCount=10)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s [%(pathname)s:%(lineno)d]"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)


# A task started by a plain `rq worker` has no app yet: the task registry builds one with this factory.
tasks.use_app_factory(create_app)
