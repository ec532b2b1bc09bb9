"""Avatars: the picture shown beside each account, generated and served by the app by default.

Every account has an identicon made from its id (app.avatars.identicon) and served as SVG by this
package's blueprint, so no page asks another host for a picture. AVATAR_PROVIDER=gravatar brings
back Gravatar (the content security policy then lets pages load its pictures). `init_app` stores
the configured provider in `app.extensions["avatars"]`, where `User.avatar` reaches it.

A person may upload a picture of their own (`set_picture(user, bytes)`, `remove_picture(user)`,
app.avatars.uploads; the caller commits): checked and stripped by the media service, stored as
square JPEGs in its storage under `User.avatar_key`, and served by this blueprint. It is every
provider's first choice; `avatar_key` is among each provider's `sources` (what the URL is made
from), which cached post cards are keyed by. Account deletion removes its files (app.accounts).
"""

from flask import Flask, current_app

from app.avatars.providers import PROVIDERS, AvatarProvider, Gravatar, Identicons
from app.avatars.routes import bp
from app.avatars.uploads import remove_picture, set_picture
from config import ConfigError

__all__ = [
    "AvatarProvider",
    "Gravatar",
    "Identicons",
    "bp",
    "image_hosts",
    "init_app",
    "provider",
    "remove_picture",
    "set_picture",
]


def init_app(app: Flask) -> None:
    """Give the app the provider AVATAR_PROVIDER names; refuse an unknown name at start-up."""
    name = (app.config.get("AVATAR_PROVIDER") or "identicon").strip().lower()
    if name not in PROVIDERS:
        raise ConfigError(f"AVATAR_PROVIDER must be one of {', '.join(sorted(PROVIDERS))}, got {name!r}")
    app.extensions["avatars"] = PROVIDERS[name]()


def provider() -> AvatarProvider:
    """Return the current app's provider."""
    return current_app.extensions["avatars"]


def image_hosts() -> tuple[str, ...]:
    """Return the hosts other than the site's own that the current app's pages load pictures from."""
    return provider().image_hosts
