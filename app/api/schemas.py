"""Marshmallow schemas: they validate input at the edge, shape output and make the OpenAPI document."""

import unicodedata

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app.validators import is_valid_username

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
MAX_PER_PAGE = 100


def printable(value: str) -> None:
    """Refuse null bytes, other control characters and unpaired surrogates (line breaks are fine)."""
    for ch in value:
        if ch not in "\n\r\t" and unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}:
            raise ValidationError("Contains characters that are not allowed.")


def username(value: str) -> None:
    """Refuse names that are not 1-64 letters, digits, underscores, dots and hyphens."""
    if not is_valid_username(value):
        raise ValidationError("Use 1 to 64 letters, digits, underscores, dots and hyphens.")


def not_blank(value: str) -> None:
    """Refuse text that is only whitespace."""
    if not value.strip():
        raise ValidationError("Must not be blank.")


def Text(max_length: int, **kwargs) -> fields.String:  # noqa: N802  (reads like a field class)
    """Return a string field of 1 to `max_length` printable characters."""
    return fields.String(validate=[validate.Length(1, max_length), printable, not_blank], **kwargs)


class StrictSchema(Schema):
    """An input schema that refuses unknown fields."""

    class Meta:
        unknown = RAISE


# Query arguments


class PaginationArgs(StrictSchema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(1, MAX_PAGE), metadata={"description": "Page number."}
    )
    per_page = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1),
        metadata={"description": f"Items per page; values above {MAX_PER_PAGE} are capped at {MAX_PER_PAGE}."},
    )


class SearchArgs(PaginationArgs):
    q = fields.String(
        required=True, validate=[validate.Length(1, 200), printable, not_blank], metadata={"description": "Words."}
    )


class NotificationArgs(StrictSchema):
    since = fields.Float(
        load_default=0.0,
        allow_nan=False,
        metadata={"description": "Only notifications newer than this time (seconds since the epoch)."},
    )


# Request bodies


class UserCreate(StrictSchema):
    username = fields.String(required=True, validate=username)
    email = fields.Email(required=True, validate=[validate.Length(max=120), printable])
    password = fields.String(required=True, load_only=True, validate=[validate.Length(1, 128), printable])
    about_me = fields.String(allow_none=True, validate=[validate.Length(max=140), printable])


class UserUpdate(StrictSchema):
    username = fields.String(validate=username)
    email = fields.Email(validate=[validate.Length(max=120), printable])
    about_me = fields.String(allow_none=True, validate=[validate.Length(max=140), printable])


class PostCreate(StrictSchema):
    body = Text(140, required=True)


class MessageCreate(StrictSchema):
    recipient_id = fields.Integer(strict=True, validate=validate.Range(1, MAX_ID))
    recipient = fields.String(validate=validate.Length(1, 64), metadata={"description": "The recipient's username."})
    body = Text(140, required=True)

    @validates_schema
    def one_recipient(self, data, **kwargs) -> None:
        """Require exactly one way of naming the recipient."""
        if ("recipient_id" in data) == ("recipient" in data):
            raise ValidationError("Give either recipient_id or recipient (a username).", "recipient")


# Responses


class Error(Schema):
    error = fields.String(required=True, metadata={"description": "The HTTP reason phrase."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    fields_ = fields.Dict(
        data_key="fields", attribute="fields", metadata={"description": "Problems by field (400 only)."}
    )


class Token(Schema):
    token = fields.String(required=True)


class UserLinks(Schema):
    self = fields.String(required=True)
    followers = fields.String(required=True)
    following = fields.String(required=True)
    avatar = fields.String(required=True)


class User(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    email = fields.String(metadata={"description": "Only on your own record."})
    last_seen = fields.String(allow_none=True, metadata={"format": "date-time"})
    about_me = fields.String(allow_none=True)
    post_count = fields.Integer(required=True)
    follower_count = fields.Integer(required=True)
    following_count = fields.Integer(required=True)
    links = fields.Nested(UserLinks, data_key="_links", attribute="_links", required=True)


class PostLinks(Schema):
    self = fields.String(required=True)
    author = fields.String(required=True)


class Post(Schema):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    timestamp = fields.String(required=True, metadata={"format": "date-time"})
    language = fields.String(required=True)
    author_id = fields.Integer(required=True)
    author = fields.String(required=True, metadata={"description": "The author's username."})
    links = fields.Nested(PostLinks, data_key="_links", attribute="_links", required=True)


class Message(Schema):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    timestamp = fields.String(required=True, metadata={"format": "date-time"})
    sender_id = fields.Integer(required=True)
    sender = fields.String(required=True)
    recipient_id = fields.Integer(required=True)
    recipient = fields.String(required=True)


class Notification(Schema):
    name = fields.String(required=True)
    data = fields.Raw(required=True, allow_none=True)
    timestamp = fields.Float(required=True)


class TaskLinks(Schema):
    self = fields.String(required=True)


class Task(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    complete = fields.Boolean(required=True)
    failed = fields.Boolean(required=True)
    error = fields.String(allow_none=True)
    progress = fields.Integer(required=True)
    links = fields.Nested(TaskLinks, data_key="_links", attribute="_links", required=True)


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total_pages = fields.Integer(required=True)
    total_items = fields.Integer(required=True)


class PageLinks(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


def collection(item: type[Schema], name: str) -> type[Schema]:
    """Return the schema of a page of `item`s: `{items, _meta, _links}`."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "meta": fields.Nested(PageMeta, data_key="_meta", attribute="_meta", required=True),
            "links": fields.Nested(PageLinks, data_key="_links", attribute="_links", required=True),
        },
        name=name,
    )


UserCollection = collection(User, "UserCollection")
PostCollection = collection(Post, "PostCollection")
MessageCollection = collection(Message, "MessageCollection")
NotificationCollection = collection(Notification, "NotificationCollection")
