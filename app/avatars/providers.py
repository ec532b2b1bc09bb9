"""Where pictures come from: the app's own identicons, or Gravatar when an operator asks for it.

A provider turns a user into a picture URL. It also says which of the user's attributes that URL
is made from (`sources`), so a cached post card is keyed by them and the card query loads only
them, and which other hosts pages must be allowed to load pictures from (`image_hosts`, for the CSP).

A picture the person uploaded (`User.avatar_key`, app.avatars.uploads) comes first with every
provider: it is served by the site, under a URL made from its key.
"""

import hashlib
from typing import Any, Protocol

from flask import current_app, has_request_context, url_for

from app.avatars import identicon, uploads


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


def local_url(endpoint: str, **values: Any) -> str:
    """Return the site's path for `endpoint`, in a request or not."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, **values)
    # In a shell, a command or a task with no SERVER_NAME, url_for cannot build: give the path.
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def uploaded_url(user: Any, size: int) -> str | None:
    """Return the URL of the picture `user` uploaded, in the stored size that suits `size`, or None."""
    key = user.avatar_key
    if key is None:
        return None
    return local_url("avatars.picture", user_id=user.id, key=key, variant=uploads.variant_for(int(size)))


def identicon_url(user_id: int, size: int) -> str:
    """Return the local, fingerprinted URL of the identicon of account `user_id` at `size` pixels."""
    return local_url("avatars.identicon_svg", user_id=user_id, fingerprint=identicon.fingerprint(user_id), s=int(size))


class Identicons:
    """The app's own pictures, served by the avatars blueprint: no request leaves the site."""

    name = "identicon"
    sources = ("id", "avatar_key")
    image_hosts = ()

    def url(self, user: Any, size: int) -> str:
        """Return the URL of `user`'s uploaded picture, else of their identicon, at `size` pixels."""
        return uploaded_url(user, size) or identicon_url(user.id, size)


class Gravatar:
    """Gravatar's picture for the account's address (its identicon when it has none)."""

    name = "gravatar"
    sources = ("email", "avatar_key")
    image_hosts = ("https://www.gravatar.com",)

    def url(self, user: Any, size: int) -> str:
        """Return the URL of `user`'s uploaded picture, else Gravatar's for the MD5 of the lower-cased address."""
        uploaded = uploaded_url(user, size)
        if uploaded is not None:
            return uploaded
        digest = hashlib.md5((user.email or "").lower().encode("utf-8")).hexdigest()
        return f"https://www.gravatar.com/avatar/{digest}?d=identicon&s={int(size)}"


PROVIDERS: dict[str, type] = {provider.name: provider for provider in (Identicons, Gravatar)}
