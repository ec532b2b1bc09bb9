"""`flask user`: manage accounts from the command line."""

import click
import sqlalchemy as sa

from app import moderation
from app.extensions import db
from app.models import Role, User
from app.validators import is_valid_username


@click.group("user")
def user_cli():
    """Manage user accounts."""


@user_cli.command("create")
@click.argument("username")
@click.argument("email")
@click.password_option()
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
def create_user(username: str, email: str, password: str, admin: bool):
    """Create a user account."""
    if not is_valid_username(username):
        raise click.BadParameter("use 1-64 letters, digits, underscores, dots and hyphens", param_hint="USERNAME")
    if db.session.scalar(User.by_username(username)) is not None:
        raise click.ClickException(f"the username {username!r} is taken")
    if db.session.scalar(sa.select(User.id).where(User.email == email.strip().lower())) is not None:
        raise click.ClickException(f"the email address {email!r} is taken")
    user = User(username=username, email=email, role=Role.ADMINISTRATOR if admin else Role.USER, confirmed=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created user {user.username} (id {user.id}){' as an administrator' if admin else ''}.")


@user_cli.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice([role.value for role in Role], case_sensitive=False))
def set_role(username: str, role: str):
    """Give a user a role: user, moderator or administrator (written to the audit log)."""
    user = db.session.scalar(User.by_username(username)) if is_valid_username(username) else None
    if user is None:
        raise click.ClickException(f"there is no user called {username!r}")
    moderation.set_role(user, Role(role.lower()))
    db.session.commit()
    click.echo(f"{user.username} is now a {user.role}.")
