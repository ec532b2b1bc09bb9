"""Keep the index in step with the session: collect changes on flush, act after the commit.

A rolled-back write never reaches the index. For a backend outside the database the service also
records each change in the writer's transaction, so an outage delays the index but never loses
a change. `install` registers the listeners once per process; each event reaches the current
application's service through `current_app.extensions["search"]`.
"""

from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import SearchableMixin
from app.search.text import normalize_text

CHANGES_KEY = "search_changes"


def install(models: dict[str, Any]) -> None:
    """Register the session listeners and keep each searchable model's `search_text` current."""
    session_events = (
        ("after_flush", collect_changes),
        ("after_commit", send_changes),
        ("after_soft_rollback", forget_changes),
    )
    for name, listener in session_events:
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)
    for model in models.values():
        for field in model.__searchable__:
            attribute = getattr(model, field)
            if not sa.event.contains(attribute, "set", refresh_search_text):
                sa.event.listen(attribute, "set", refresh_search_text)


def refresh_search_text(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    """Store the normalised text the database backend indexes whenever a searchable field is set."""
    texts = [value if name == initiator.key else getattr(target, name) for name in target.__searchable__]
    target.search_text = normalize_text(" ".join(text or "" for text in texts))


def collect_changes(session, flush_context) -> None:
    """Remember which searchable rows this transaction wrote or deleted."""
    changes = {}
    for obj in session.new | session.dirty:
        if isinstance(obj, SearchableMixin) and session.is_modified(obj, include_collections=False):
            changes[(obj.__tablename__, obj.id)] = obj.search_document() if obj.is_searchable() else None
    for obj in session.deleted:
        if isinstance(obj, SearchableMixin):
            changes[(obj.__tablename__, obj.id)] = None
    if changes:
        note_changes(session, changes)


def note_changes(session, changes: dict) -> None:
    """Add `changes` to the transaction's: recorded in it now (outside backends), sent after the commit."""
    session.info.setdefault(CHANGES_KEY, {}).update(changes)
    current_app.extensions["search"].record_pending(session.connection(), changes)


def send_changes(session) -> None:
    """Hand the committed changes to the search service."""
    changes = session.info.pop(CHANGES_KEY, None)
    if changes:
        current_app.extensions["search"].apply_changes(changes)


def forget_changes(session, previous_transaction) -> None:
    """Forget changes that were rolled back."""
    if previous_transaction.parent is None:
        session.info.pop(CHANGES_KEY, None)
