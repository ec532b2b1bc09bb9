"""What a local account does to an account of another server, told to that server once it is committed.

The models tell an account what concerns it (`User.tell`: a follow, a like, a repost, a reply, a
mention); an account of another server is told by its server instead, through
`app.extensions["federation"].tell_server`:

- a follow is a Follow and a like a Like, each sent to the account's inbox (an Undo of it when
  taken back);
- a reply to its post, or a mention of it, adds the account's inbox to those the post's Create is
  delivered to, and a repost of its post to those the repost's Announce (or its Undo) is
  delivered to (app.federation.fanout).

Nothing is sent for what a remote account does here (its server told us), and nothing before
the transaction commits: a rolled-back like sends nothing.

A report on a remote account may be forwarded to its server (`forward_report`): a Flag from the
instance actor, which does not name the reporter.
"""

import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.federation import documents, fanout
from app.federation.delivery import deliver_as_server_later
from app.models import ActivityKind, Post, RemoteActor, User

_VERBS = {ActivityKind.FOLLOW: "Follow", ActivityKind.LIKE: "Like"}


def tell_server(account: User, kind: str, actor: User, post_id: int | None, undone: bool) -> None:
    """Tell remote `account`'s server that local `actor` did `kind` (or took it back: `undone`)."""
    if not current_app.config.get("FEDERATION") or actor.is_remote:
        return
    if kind in (ActivityKind.REPLY, ActivityKind.MENTION):
        if not undone and post_id is not None:
            fanout.address("Create", post_id, actor.id, account.id)
        return
    if kind == ActivityKind.REPOST:
        # The repost's own Announce (and its Undo) goes to the reposted author as to the reposter's
        # followers: one id, which the Undo names. Told before a taken-back repost's row goes.
        repost_id = db.session.scalar(sa.select(Post.id).where(Post.user_id == actor.id, Post.repost_of_id == post_id))
        if repost_id is not None:
            fanout.address("Undo" if undone else "Announce", repost_id, actor.id, account.id)
        return
    remote = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.user_id == account.id))
    if remote is None or kind not in _VERBS:
        return
    if kind == ActivityKind.FOLLOW:
        subject = remote.uri
    else:
        subject = db.session.scalar(sa.select(Post.uri).where(Post.id == post_id)) if post_id is not None else None
        if subject is None:
            return  # a post of this server's, reposted or liked by someone: nothing of the remote account's
    fanout.send_later(actor.id, remote.inbox, _activity(_VERBS[kind], actor, subject, undone))


def _activity(verb: str, actor: User, subject: str, undone: bool) -> dict[str, Any]:
    """`actor`'s `verb` of `subject` (an actor or a note's id), or the Undo of it.

    Each activity gets an id of its own: servers find what an Undo ends by its actor and object,
    so the first activity's id need not be kept.
    """
    me = documents.actor_url(actor.username)
    done = {"id": f"{me}#{verb.lower()}s/{secrets.token_hex(8)}", "type": verb, "actor": me, "object": subject}
    if not undone:
        return {"@context": documents.CONTEXT, **done}
    return {
        "@context": documents.CONTEXT,
        "id": f"{me}#undos/{secrets.token_hex(8)}",
        "type": "Undo",
        "actor": me,
        "object": done,
    }


def forward_report(reported: User, post: Post | None, comment: str | None) -> bool:
    """Send a report on a remote account (or its post) to its server as a Flag, from the instance actor.

    The reporter is not named: the server only learns that this one reports it. Return whether
    it was sent (False for an account of this server, or one whose actor is not known).
    """
    remote = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.user_id == reported.id))
    if not current_app.config.get("FEDERATION") or remote is None:
        return False
    named = [remote.uri] + ([post.uri] if post is not None and post.uri else [])
    server = documents.instance_actor_url()
    flag = {
        "@context": documents.CONTEXT,
        "id": f"{server}#flags/{secrets.token_hex(8)}",
        "type": "Flag",
        "actor": server,
        "object": named,
        "content": comment or "",
    }
    deliver_as_server_later(remote.shared_inbox or remote.inbox, flag)
    return True
