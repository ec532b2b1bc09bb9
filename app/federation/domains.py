"""Domain blocks: servers this one does not federate with.

A blocked server's deliveries are refused before anything of theirs is fetched, nothing is
delivered to it, and blocking forgets its actors, so their follows of local accounts end.
"""

import sqlalchemy as sa

from app.extensions import db
from app.models import DomainBlock, RemoteActor

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
    db.session.execute(
        sa.delete(RemoteActor).where(
            sa.or_(RemoteActor.domain == domain, RemoteActor.domain.endswith("." + domain, autoescape=True))
        )
    )
    return entry


def unblock(domain: str) -> bool:
    """Lift a block (the caller commits); return whether there was one."""
    entry = db.session.get(DomainBlock, canonical(domain))
    if entry is not None:
        db.session.delete(entry)
    return entry is not None


def blocks() -> list[DomainBlock]:
    return list(db.session.scalars(sa.select(DomainBlock).order_by(DomainBlock.domain)))
