"""Federation: Microblog as a member of the fediverse, over ActivityPub (off unless FEDERATION=1).

With federation on, other servers (Mastodon, other Microblogs) find an account by WebFinger
(`/.well-known/webfinger?resource=acct:name@host`), read it as an ActivityPub actor at its profile
URL, and read its posts as notes at their thread URLs, its outbox and its followers and following
collections (app.federation.routes; the documents are built in app.federation.documents). NodeInfo
and host-meta describe the server. Each account signs with an RSA key pair made on first need,
whose private half is sealed at rest under SECRET_KEY (app.federation.keys).

The inboxes take signed deliveries (app.federation.inbox, .signatures, .remote); what local
accounts publish is delivered to their remote followers by background jobs (app.federation.fanout,
.delivery).

Off, the default, the app has none of these routes. On, it needs SERVER_NAME, the public host
every actor and note is named by (a start without one is refused).
"""

from types import SimpleNamespace

from flask import Flask

from app.extensions import csrf
from app.federation import (
    accounts,
    delivery,
    domains,
    fanout,
    interactions,
    pages,  # noqa: F401  (its views join the blueprint, as the tutorial's routes do)
    routes,
)
from app.federation.accounts import LookupFailed, find_account, parse_handle
from app.federation.delivery import deliver_activity
from app.federation.documents import ACTIVITY_JSON
from app.federation.fanout import fan_out, note_leaving
from app.federation.interactions import forward_report
from app.federation.keys import KeyUnusable, key_for, private_key, rotate
from app.federation.routes import bp
from config import ConfigError

__all__ = [
    "ACTIVITY_JSON",
    "KeyUnusable",
    "LookupFailed",
    "deliver_activity",
    "accounts",
    "delivery",
    "domains",
    "fan_out",
    "find_account",
    "forward_report",
    "init_app",
    "key_for",
    "note_leaving",
    "parse_handle",
    "private_key",
    "rotate",
]


def init_app(app: Flask) -> None:
    """Mount the federation blueprint when FEDERATION is on; refuse to start without SERVER_NAME."""
    if not app.config.get("FEDERATION"):
        return
    if not app.config.get("SERVER_NAME"):
        raise ConfigError("FEDERATION=1 needs SERVER_NAME: the public host name accounts and posts are known by")
    app.register_blueprint(bp)
    fanout.install()
    # The models, app.accounts and app.conversations reach federation through here: what a local
    # account does to a remote one (`tell_server`), a deleted account or post (`note_leaving`, `post_leaving`).
    app.extensions["federation"] = SimpleNamespace(
        tell_server=interactions.tell_server, note_leaving=fanout.note_leaving, post_leaving=fanout.post_leaving
    )
    # Servers deliver to the inboxes without a CSRF token: what vouches for them is their signature.
    # The blueprint's site pages (the domain blocks) keep their protection.
    for view in (routes.inbox, routes.shared_inbox):
        csrf.exempt(view)
