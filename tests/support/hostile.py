"""User text that would run as script if any page printed it raw, and a database full of it."""

import uuid

from app.extensions import db
from app.models import Task, User
from tests.support.factories import MessageFactory, PostFactory, UserFactory

XSS = '<script>alert("xss")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;"
# An attribute breakout: harmless only if the quotes and angle brackets are escaped.
XSS_ATTR = '"><img src=x onerror=alert(2)>'
# A username that the forms would refuse, as if it came from old data or another tool: pages must still escape it.
EVIL_NAME = '<b onmouseover="alert(3)">evil</b>'


def seed_hostile_content() -> dict:
    """Fill the database with user text that would run script if any page printed it raw.

    Susan (about me) follows john and `EVIL_NAME`; all three post hostile text; evil messages susan;
    susan has a hostile notification and a running task with a hostile description.
    """
    susan = UserFactory(username="susan", email="susan@example.com", about_me=XSS + XSS_ATTR)
    john = UserFactory(username="john", email="john@example.com", about_me=XSS_ATTR)
    evil = UserFactory(username="evil", email="evil@example.com")
    evil.username = EVIL_NAME  # straight to the database: the validators would refuse it
    db.session.commit()
    susan.follow(john)
    susan.follow(evil)
    posts = [
        PostFactory(author=susan, body=f"alert {XSS}", language="en"),
        PostFactory(author=john, body=f"alert {XSS_ATTR}", language="es"),
        PostFactory(author=evil, body="alert from evil", language="en"),
    ]
    MessageFactory(author=evil, recipient=susan, body=XSS)
    MessageFactory(author=john, recipient=susan, body=XSS_ATTR)
    susan.add_notification("hostile", {"text": XSS, "attr": XSS_ATTR})
    db.session.add(Task(id=str(uuid.uuid4()), name="export_posts", description=XSS, user=susan))
    db.session.commit()
    assert db.session.get(User, evil.id).username == EVIL_NAME
    return {"susan": susan, "john": john, "evil": evil, "posts": posts}
