"""factory_boy factories for the models, bound to the app's session."""

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import Message, Post, User, utcnow

DEFAULT_PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username.lower()}@example.com")
    about_me = None

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            db.session.commit()


class PostFactory(BaseFactory):
    class Meta:
        model = Post

    body = factory.Sequence(lambda n: f"post number {n}")
    author = factory.SubFactory(UserFactory)
    language = "en"
    timestamp = factory.Sequence(lambda n: utcnow() - timedelta(minutes=10_000 - n))


class MessageFactory(BaseFactory):
    class Meta:
        model = Message

    body = factory.Sequence(lambda n: f"message number {n}")
    author = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
