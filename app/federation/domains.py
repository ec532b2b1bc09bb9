"""Domain blocks: servers this one does not federate with.

A blocked server's deliveries are refused before anything of theirs is fetched, nothing is
delivered to it, and blocking forgets its actors, so their follows of local accounts end; its
accounts kept here are suspended, so their posts are hidden everywhere.
"""

import sqlalchemy as sa

from app.extensions import db
from app.models import DomainBlock, RemoteActor, User, utcnow

MAX_DOMAIN = 255


def canonical(domain: str) -> str:
    """A domain as blocks store it: trimmed and lower-cased, with no trailing dot."""
    return domain.strip().lower().rstrip(".")


def blocked(*hosts: str) -> bool:
    """Whether any of `hosts` (`name` or `name:port`) is a blocked domain, or under one (one query)."""
    names = set()
    for host in hosts:
        host = canonical(host)
        names.add(host)
        bare = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        labels = bare.split(".")
        names.update(".".join(labels[index:]) for index in range(len(labels) - 1))
    names.discard("")
    if not names:
        return False
    return db.session.scalar(sa.select(sa.literal(True)).where(DomainBlock.domain.in_(names)).limit(1)) is not None


def block(domain: str, reason: str = "") -> DomainBlock:
    """Block `domain` and forget its actors (the caller commits); blocking twice keeps the first."""
    domain = canonical(domain)
    entry = db.session.get(DomainBlock, domain)
    if entry is None:
        entry = DomainBlock(domain=domain, reason=reason[:200])
        db.session.add(entry)
    db.session.execute(sa.delete(RemoteActor).where(_on(RemoteActor.domain, domain)))
    db.session.execute(
        sa.update(User)
        .where(_on(User.domain, domain), User.suspended_at.is_(None))
        .values(suspended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return entry


def _on(column: sa.Column, domain: str) -> sa.ColumnElement[bool]:
    """The rows whose `column` (a host, with its port if any) is `domain` or a subdomain of it, on any port."""
    return sa.or_(
        column == domain,
        column.startswith(domain + ":", autoescape=True),
        column.endswith("." + domain, autoescape=True),
        column.like(f"%.{_escaped(domain)}:%", escape="/"),
    )


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def unblock(domain: str) -> bool:
    """Lift a block (the caller commits); return whether there was one."""
    entry = db.session.get(DomainBlock, canonical(domain))
    if entry is not None:
        db.session.delete(entry)
    return entry is not None


def blocks() -> list[DomainBlock]:
    return list(db.session.scalars(sa.select(DomainBlock).order_by(DomainBlock.domain)))
