"""Who may do what: the `permission_required` view decorator and the `can` template helper.

Both ask the signed-in user's role for a Permission (app/models/role.py), never for a role by name.
"""

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort
from flask_login import current_user, login_required

from app.models import Permission


def permission_required(permission: Permission) -> Callable[[Callable], Callable]:
    """Let only users whose role grants `permission` into the view: 403 for others, the login page for the anonymous."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return login_required(checked)

    return decorator


def can(permission: Permission) -> bool:
    """Template helper: whether the reader is signed in with a role that grants `permission`."""
    return current_user.is_authenticated and current_user.can(permission)


def init_permissions(app: Flask) -> None:
    """Give every template `can(...)` and `Permission`."""
    app.jinja_env.globals.update(can=can, Permission=Permission)
