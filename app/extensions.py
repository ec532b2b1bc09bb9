"""Extension singletons, bound to an application in `create_app`."""

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_moment import Moment
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across databases."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# Where app.extensions keeps the engine in autocommit that read-only requests read through (ReadingSession).
READS = "read_engine"
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class ReadingSession(FlaskSession):
    """A session that reads for a GET or HEAD request outside any transaction, until the request writes.

    Where the app stores a `READS` engine (on PostgreSQL: see `app.register_extensions`), such a
    request reads through it; its connections are in autocommit, so the server is sent no BEGIN before
    the first query and no ROLLBACK after the last. The request's first write (a flush, an INSERT,
    UPDATE or DELETE) moves the session to the default engine, in a transaction, for the rest of the
    request: what it writes stays atomic, and what it reads afterwards includes what it wrote.
    `session_wrote()` tells whether the session has sent any write so far, whatever the method.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            if self._flushing or isinstance(clause, sa.UpdateBase):
                self.info[_WROTE] = True
            elif self._reads_outside_transaction():
                return current_app.extensions[READS]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def _reads_outside_transaction(self) -> bool:
        return (
            not self.info.get(_WROTE)
            and has_request_context()
            and request.method in READ_ONLY_METHODS
            and READS in current_app.extensions
        )


_WROTE = "wrote"


def session_wrote() -> bool:
    """Whether this request's session has sent a write (even one rolled back since)."""
    return db.session.info.get(_WROTE, False)


db = SQLAlchemy(model_class=Base, session_options={"class_": ReadingSession})
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
mail = Mail()
moment = Moment()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)
