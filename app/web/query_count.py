"""Count the SQL statements each request runs, for benchmarks (`X-Query-Count` response header).

Off by default: only when QUERY_COUNT_HEADER is set does `register_query_count` attach anything, so a
normal deployment pays nothing. The count lives in a context variable that each request resets, so it
is right under threaded servers too; statements run outside a request (CLI, background threads that
start their own context) are not counted against a request.
"""

from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask, Response

from app.extensions import db

QUERY_COUNT_HEADER = "X-Query-Count"

# None outside a request; a one-item list (mutated in place) inside one.
_counter: ContextVar[list[int] | None] = ContextVar("query_counter", default=None)


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    counter = _counter.get()
    if counter is not None:
        counter[0] += 1


def _start_counting() -> None:
    _counter.set([0])


def _add_header(response: Response) -> Response:
    counter = _counter.get()
    if counter is not None:
        response.headers[QUERY_COUNT_HEADER] = str(counter[0])
    return response


def _stop_counting(exc: BaseException | None = None) -> None:
    _counter.set(None)


def register_query_count(app: Flask) -> None:
    """Add `X-Query-Count` to every response when app.config["QUERY_COUNT_HEADER"] is true."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    with app.app_context():
        engine = db.engine
    if not sa.event.contains(engine, "before_cursor_execute", _count_statement):
        sa.event.listen(engine, "before_cursor_execute", _count_statement)
    # First in line, so the statements of every other before_request hook (login, last_seen) count.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)
    # after_request hooks run last-registered first: at the front of the list, this one runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, _add_header)
    app.teardown_request(_stop_counting)
