"""`flask federation`: the federation service's upkeep from the command line."""

import click
import sqlalchemy as sa

from app import federation
from app.extensions import db
from app.models import ActorKey, FailedDelivery, User
from app.validators import is_valid_username


@click.group("federation")
def federation_cli():
    """Federation (ActivityPub) upkeep."""


@federation_cli.command("keys")
@click.argument("usernames", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every account that has a key pair.")
def rotate_keys(usernames: tuple[str, ...], every: bool):
    """Give accounts new key pairs: after a leak, or once SECRET_KEY has changed.

    Other servers fetch an account's new key the first time a signature fails against the old one.
    """
    if bool(usernames) == every:
        raise click.UsageError("name the accounts, or give --all")
    if every:
        ids = list(db.session.scalars(sa.select(ActorKey.user_id).order_by(ActorKey.user_id)))
        users = (db.session.get(User, user_id) for user_id in ids)
    else:
        users = [_user_named(name) for name in usernames]
        ids = [user.id for user in users]
    for done, user in enumerate(users, 1):
        federation.rotate(user)
        db.session.commit()  # one account at a time: an interrupted run keeps what it did
        if done % 100 == 0 or done == len(ids):
            click.echo(f"{done} of {len(ids)} accounts have a new key pair")
    if not ids:
        click.echo("No account has a key pair yet.")


def _user_named(name: str) -> User:
    user = db.session.scalar(User.by_username(name)) if is_valid_username(name) else None
    if user is None:
        raise click.ClickException(f"there is no user called {name!r}")
    return user


@federation_cli.command("deliver")
@click.option("--retry", is_flag=True, help="Send the failed deliveries again.")
def deliver(retry: bool):
    """Tell how many deliveries to other servers failed for good; --retry sends them again."""
    if retry:
        click.echo(f"{federation.delivery.retry_failed()} failed deliveries sent again.")
        return
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(FailedDelivery))
    click.echo(f"{waiting} failed deliveries wait (flask federation deliver --retry sends them again).")


@federation_cli.command("block")
@click.argument("domain")
@click.option("--reason", default="", help="Why (shown in the admin pages).")
def block_domain(domain: str, reason: str):
    """Stop federating with DOMAIN (and its subdomains): refuse its deliveries, send it nothing."""
    if not federation.domains.canonical(domain) or len(domain) > federation.domains.MAX_DOMAIN:
        raise click.BadParameter("give a host name, e.g. spam.example", param_hint="DOMAIN")
    entry = federation.domains.block(domain, reason)
    db.session.commit()
    click.echo(f"{entry.domain} is blocked.")


@federation_cli.command("unblock")
@click.argument("domain")
def unblock_domain(domain: str):
    """Federate with DOMAIN again."""
    if not federation.domains.unblock(domain):
        raise click.ClickException(f"{domain} is not blocked")
    db.session.commit()
    click.echo(f"{federation.domains.canonical(domain)} is no longer blocked.")


@federation_cli.command("blocks")
def list_blocks():
    """List the blocked domains."""
    entries = federation.domains.blocks()
    for entry in entries:
        click.echo(f"{entry.domain}\t{entry.created_at:%Y-%m-%d}\t{entry.reason}")
    if not entries:
        click.echo("No domain is blocked.")
