"""Roles and their permissions (Flasky's model, with the roles defined in code).

A user's role is stored by name on the user row. Each role grants a set of permissions, and
code asks for a permission (`User.can`, `permission_required`, the `can` template helper),
never for a role by name.
"""

import enum


class Permission(enum.IntFlag):
    """What a role allows; a role's permissions are a combination of these."""

    FOLLOW = 1
    WRITE = 2
    REPORT = 4
    MODERATE = 8
    ADMIN = 16


class Role(enum.StrEnum):
    """The roles a user can have, weakest first; the value is what the user row stores."""

    USER = "user"
    MODERATOR = "moderator"
    ADMINISTRATOR = "administrator"

    @property
    def permissions(self) -> Permission:
        return _PERMISSIONS[self]


_PERMISSIONS = {
    Role.USER: Permission.FOLLOW | Permission.WRITE | Permission.REPORT,
    Role.MODERATOR: Permission.FOLLOW | Permission.WRITE | Permission.REPORT | Permission.MODERATE,
    Role.ADMINISTRATOR: Permission.FOLLOW
    | Permission.WRITE
    | Permission.REPORT
    | Permission.MODERATE
    | Permission.ADMIN,
}
