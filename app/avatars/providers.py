"""Where pictures come from: the app's own identicons, or Gravatar when an operator asks for it.

A provider turns a user into a picture URL. It also says which of the user's attributes that URL
is made from (`sources`), so a cached post card is keyed by them and the card query loads only
them, and which other hosts pages must be allowed to load pictures from (`image_hosts`, for the CSP).
"""

import hashlib
from typing import Any, Protocol

from flask import current_app, has_request_context, url_for

from app.avatars import identicon


class AvatarProvider(Protocol):
    """Makes the URL of a user's picture."""

    name: str
    # The User attributes a picture's URL is made from.
    sources: tuple[str, ...]
    # The hosts other than the site's own that pages load pictures from.
    image_hosts: tuple[str, ...]

    def url(self, user: Any, size: int) -> str:
        """Return the URL of `user`'s picture at `size` pixels."""
        ...


class Identicons:
    """The app's own pictures, served by the avatars blueprint: no request leaves the site."""

    name = "identicon"
    sources = ("id",)
    image_hosts = ()

    def url(self, user: Any, size: int) -> str:
        """Return the local, fingerprinted URL of `user`'s identicon at `size` pixels."""
        user_id = user.id
        values = {"user_id": user_id, "fingerprint": identicon.fingerprint(user_id), "s": int(size)}
        if has_request_context() or current_app.config.get("SERVER_NAME"):
            return url_for("avatars.identicon_svg", **values)
        # In a shell, a command or a task with no SERVER_NAME, url_for cannot build: give the path.
        adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
        return adapter.build("avatars.identicon_svg", values)


class Gravatar:
    """Gravatar's picture for the account's address (its identicon when it has none)."""

    name = "gravatar"
    sources = ("email",)
    image_hosts = ("https://www.gravatar.com",)

    def url(self, user: Any, size: int) -> str:
        """Return the Gravatar URL for the MD5 of the lower-cased address, at `size` pixels."""
        digest = hashlib.md5(user.email.lower().encode("utf-8")).hexdigest()
        return f"https://www.gravatar.com/avatar/{digest}?d=identicon&s={int(size)}"


PROVIDERS: dict[str, type] = {provider.name: provider for provider in (Identicons, Gravatar)}
