"""What local accounts publish, delivered to their remote followers once it is committed.

The session's flushes are watched, as the search service watches them: a new post is a Create of
its Note, a new repost an Announce, a deleted post (gone, or left as a tombstone) a Delete, a
repost taken back an Undo of its Announce, kept
only when its author has a remote follower (one query in the flush). After the commit, a
background job (`fan_out`: RQ, or a thread) builds the activities and delivers each to the
author's remote followers, once per server that offers a shared inbox (app.federation.delivery):
the request that published never waits for it, and a rolled-back write sends nothing. The
listeners are installed for an app with FEDERATION on, and do nothing for any other app.

A deleted account is different: app.accounts calls `note_leaving` before its rows go, and its
remote followers are sent a Delete of the account, signed with the key it had. A deleted post's
Delete also reaches the remote accounts it answered or named (`post_leaving`, called by
app.conversations before its rows go).

What a local account does to a remote one (app.federation.interactions) goes after the commit
too: a Follow or Like straight to its inbox (`send_later`); a reply to it or a mention of it with
the post's Create, and a repost of its post with the repost's Announce or Undo (`address`), even
when no remote account follows the author.
"""

import logging
import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from app.extensions import db
from app.federation import documents
from app.federation.delivery import deliver_farewell_later, deliver_later, deliver_later_as
from app.models import ActorKey, Mention, Post, RemoteActor, RemoteFollower, User
from app.tasks import job

log = logging.getLogger(__name__)

EVENTS_KEY = "federation_events"
FAREWELLS_KEY = "federation_farewells"
DIRECT_KEY = "federation_direct"
ADDRESSED_KEY = "federation_addressed"
FAN_OUT_JOB = "fan_out"


def install() -> None:
    """Register the session listeners (once per process)."""
    for name, listener in (
        ("after_flush", collect),
        ("after_commit", send),
        ("after_soft_rollback", forget),
    ):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def collect(session, flush_context) -> None:
    """Note the posts this flush published or deleted whose authors have remote followers."""
    if not current_app.config.get("FEDERATION"):
        return
    events = []
    for obj in session.new:
        if isinstance(obj, Post) and obj.user_id is not None:
            events.append(("Announce" if obj.repost_of_id is not None else "Create", obj.id, obj.user_id))
    for obj in session.deleted:
        if isinstance(obj, Post) and obj.user_id is not None:
            events.append(("Undo" if obj.repost_of_id is not None else "Delete", obj.id, obj.user_id))
    for obj in session.dirty:
        if isinstance(obj, Post):
            before = sa.inspect(obj).attrs.user_id.history.deleted
            if obj.user_id is None and before and before[0] is not None:  # turned into a tombstone
                events.append(("Delete", obj.id, before[0]))
    if not events:
        return
    followed = set(
        session.connection().scalars(
            sa.select(RemoteFollower.user_id)
            .where(RemoteFollower.user_id.in_({event[2] for event in events}))
            .distinct()
        )
    )
    events = [event for event in events if event[2] in followed]
    if events:
        session.info.setdefault(EVENTS_KEY, []).extend(events)


def note_leaving(user: User) -> None:
    """Before `user`'s account is deleted, in its transaction: once it is committed, tell their remote followers.

    Their key pair goes with the account, so the Delete is signed with the sealed key kept here.
    """
    if not current_app.config.get("FEDERATION"):
        return
    inboxes = _follower_inboxes({user.id}).get(user.id)
    key = db.session.get(ActorKey, user.id)
    if not inboxes or key is None:
        return
    farewell = (
        key.private_key_sealed,
        documents.key_url(user.username),
        inboxes,
        documents.delete_of_account(user.username),
    )
    db.session.info.setdefault(FAREWELLS_KEY, []).append(farewell)


def post_leaving(post: Post) -> None:
    """Before a post's rows go (app.conversations.delete): the remote accounts it answered or named get its Delete.

    Its remote followers get it as any Delete (`collect`); these may follow no one here.
    """
    if not current_app.config.get("FEDERATION") or post.user_id is None or post.repost_of_id is not None:
        return
    named = sa.select(RemoteActor.user_id).join(Mention, Mention.user_id == RemoteActor.user_id)
    accounts = named.where(Mention.post_id == post.id)
    if post.in_reply_to_id is not None:
        answered = sa.select(RemoteActor.user_id).join(Post, Post.user_id == RemoteActor.user_id)
        accounts = accounts.union(answered.where(Post.id == post.in_reply_to_id))
    for account_id in db.session.scalars(accounts):
        address("Delete", post.id, post.user_id, account_id)


def send_later(sender_id: int, inbox: str, activity: dict[str, Any]) -> None:
    """In a transaction: deliver `activity` to `inbox`, signed as the sender, once it is committed."""
    db.session.info.setdefault(DIRECT_KEY, []).append((sender_id, inbox, activity))


def address(kind: str, post_id: int, author_id: int, account_id: int) -> None:
    """In a transaction: deliver the post's `kind` of activity to remote `account_id` too, once committed.

    A reply or a mention: the Create; a repost of the account's post: the Announce, or its Undo.
    """
    db.session.info.setdefault(ADDRESSED_KEY, {}).setdefault(post_id, (kind, author_id, set()))[2].add(account_id)


def send(session) -> None:
    """Start the fan-out of the committed events, the direct deliveries and the farewells, in the background."""
    for sealed_key, key_id, inboxes, activity in session.info.pop(FAREWELLS_KEY, []):
        for inbox in inboxes:
            deliver_farewell_later(sealed_key, key_id, inbox, activity)
    for sender_id, inbox, activity in session.info.pop(DIRECT_KEY, []):
        deliver_later_as(sender_id, inbox, activity)
    events = session.info.pop(EVENTS_KEY, [])
    named = session.info.pop(ADDRESSED_KEY, {})
    addressed = {post_id: sorted(accounts) for post_id, (_, _, accounts) in named.items()}
    # What `collect` left out (its author has no remote follower) still goes to the accounts it names.
    known = {post_id for _, post_id, _ in events}
    events += [(kind, post_id, author_id) for post_id, (kind, author_id, _) in named.items() if post_id not in known]
    if not events:
        return
    app = current_app._get_current_object()
    try:
        if app.extensions["tasks"].queue_job(FAN_OUT_JOB, events, addressed):
            return
    except Exception:
        log.warning("could not queue a fan-out: running it in this process", exc_info=True)
    threading.Thread(target=_fan_out_in_thread, args=(app, events, addressed), daemon=True).start()


def forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in (EVENTS_KEY, FAREWELLS_KEY, DIRECT_KEY, ADDRESSED_KEY):
            session.info.pop(key, None)


@job
def fan_out(events: list, addressed: dict | None = None) -> None:
    """Job: build the activities of `events` [(kind, post id, author id)] and deliver them to each inbox.

    `addressed` maps a post's id to the remote accounts it answers or mentions: they get it too.
    """
    _deliver([tuple(event) for event in events], {int(key): value for key, value in (addressed or {}).items()})


def _fan_out_in_thread(app: Flask, events: list, addressed: dict) -> None:
    with app.app_context():
        try:
            fan_out(events, addressed)
        except Exception:
            log.exception("the fan-out of %d activities failed", len(events))
        finally:
            db.session.remove()


def _deliver(events: list[tuple[str, int, int]], addressed: dict[int, list[int]]) -> None:
    followers = _follower_inboxes({author_id for _, _, author_id in events})
    named = _account_inboxes({account for accounts in addressed.values() for account in accounts})
    if not followers and not named:
        return  # no author of these has a remote follower (any more), and no post names one: nothing to build
    authors = {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_({e[2] for e in events})))}
    shared = [post_id for kind, post_id, _ in events if kind not in ("Delete", "Undo")]
    posts = list(db.session.scalars(sa.select(Post).where(Post.id.in_(shared)))) if shared else []
    activities = documents.outbox_items(posts)
    for kind, post_id, author_id in events:
        author = authors.get(author_id)
        if author is None or author.is_suspended or author.is_remote:
            continue
        if kind == "Delete":
            activity = documents.delete_of(post_id, author.username)
        elif kind == "Undo":
            activity = documents.undo_of_announce(post_id, author.username)
        elif post_id in activities:
            activity = {"@context": documents.CONTEXT, **activities[post_id]}
        else:
            continue  # deleted again before its delivery was built
        inboxes = followers.get(author_id, []) + [
            named[account] for account in addressed.get(post_id, []) if account in named
        ]
        for inbox in dict.fromkeys(inboxes):
            deliver_later(author, inbox, activity)


def _account_inboxes(account_ids: set[int]) -> dict[int, str]:
    """Each remote account's inbox, its server's shared one when offered (one query)."""
    if not account_ids:
        return {}
    rows = db.session.execute(
        sa.select(RemoteActor.user_id, sa.func.coalesce(RemoteActor.shared_inbox, RemoteActor.inbox)).where(
            RemoteActor.user_id.in_(account_ids)
        )
    )
    return dict(rows.all())


def _follower_inboxes(author_ids: set[int]) -> dict[int, list[str]]:
    """Each author's remote followers' inboxes: a server's shared inbox once, else each actor's own (one query)."""
    rows = db.session.execute(
        sa.select(RemoteFollower.user_id, sa.func.coalesce(RemoteActor.shared_inbox, RemoteActor.inbox))
        .join(RemoteActor, RemoteActor.id == RemoteFollower.actor_id)
        .where(RemoteFollower.user_id.in_(author_ids))
        .distinct()
    )
    inboxes: dict[int, list[str]] = {}
    for author_id, inbox in rows:
        inboxes.setdefault(author_id, []).append(inbox)
    return inboxes
