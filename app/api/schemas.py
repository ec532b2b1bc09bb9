"""Marshmallow schemas: they validate input at the edge, shape output and make the OpenAPI document."""

import operator
from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate, validates_schema
from werkzeug.datastructures import FileStorage

from app import conversations, media, models
from app.models.media import MAX_ALT_LENGTH, MAX_PER_POST
from app.pagination import CURSOR_PATTERN, MAX_PAGE, Cursor
from app.validators import MAX_ID, is_printable, is_valid_username
from app.web.urls import id_url

MAX_PER_PAGE = 100


def printable(value: str) -> None:
    """Refuse null bytes, other control characters and unpaired surrogates (line breaks are fine)."""
    if not is_printable(value):
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


class File(Upload):
    """An uploaded file of a multipart body (documented as a binary string); a plain text field is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Send a file.")
        return value


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


class CursorField(fields.String):
    """A place in a list read by cursor (`app.pagination.Cursor`), as the list's `_links` write it."""

    def __init__(self, older: bool, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": CURSOR_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)
        self.older = older

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Cursor:
        try:
            return Cursor.parse(super()._deserialize(value, attr, data, **kwargs), self.older)
        except ValueError:
            raise ValidationError("Not a cursor: take it from a page's _links.") from None


class TimelineArgs(PaginationArgs):
    before = CursorField(
        older=True,
        metadata={"description": "A `next` link's place: the page holds the posts just older than it."},
    )
    after = CursorField(
        older=False,
        metadata={"description": "A `prev` link's place: the page holds the posts just newer than it."},
    )

    @validates_schema
    def one_cursor(self, data, **kwargs) -> None:
        """A page starts from one place at most."""
        if "before" in data and "after" in data:
            raise ValidationError("Give before or after, not both.", "after")


class SearchArgs(PaginationArgs):
    q = fields.String(
        required=True, validate=[validate.Length(1, 200), printable, not_blank], metadata={"description": "Words."}
    )


class LookupArgs(StrictSchema):
    acct = fields.String(
        required=True,
        validate=[validate.Length(3, 200), printable, not_blank],
        metadata={"description": "An account's address: `name@host` (or `@name@host`)."},
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
    in_reply_to = fields.Integer(
        strict=True, validate=validate.Range(1, MAX_ID), metadata={"description": "The id of the post this answers."}
    )
    media_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_ID)),
        validate=validate.Length(max=MAX_PER_POST),
        metadata={
            "description": (
                f"Up to {MAX_PER_POST} of your images from `POST /api/media` not attached yet, in the order shown."
            )
        },
    )


class MediaCreate(StrictSchema):
    """An image upload, as a multipart/form-data body."""

    file = File(required=True, metadata={"description": "A JPEG, PNG, WebP or GIF image (its first frame)."})
    description = Text(
        MAX_ALT_LENGTH,
        required=True,
        metadata={"description": "The alt text: what the image shows, for who cannot see it."},
    )


class MessageCreate(StrictSchema):
    recipient_id = fields.Integer(strict=True, validate=validate.Range(1, MAX_ID))
    recipient = fields.String(validate=validate.Length(1, 64), metadata={"description": "The recipient's username."})
    body = Text(140, required=True)

    @validates_schema
    def one_recipient(self, data, **kwargs) -> None:
        """Require exactly one way of naming the recipient."""
        if ("recipient_id" in data) == ("recipient" in data):
            raise ValidationError("Give either recipient_id or recipient (a username).", "recipient")


class ReportCreate(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.OneOf([reason.value for reason in models.ReportReason]),
        metadata={"description": "Why the moderators should look at it."},
    )
    comment = fields.String(allow_none=True, validate=[validate.Length(max=500), printable])


# Responses


class Error(Schema):
    error = fields.String(required=True, metadata={"description": "The HTTP reason phrase."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    fields_ = fields.Dict(
        data_key="fields", attribute="fields", metadata={"description": "Problems by field (400 only)."}
    )


class Token(Schema):
    token = fields.String(required=True)


class Computed:
    """A field whose value `compute(obj)` derives from the whole object; documented as its base type."""

    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return self.compute(obj)


class Link(Computed, fields.String):
    """A URL built from the object."""


class ComputedString(Computed, fields.String):
    """A string built from the object."""


class ComputedInteger(Computed, fields.Integer):
    """An integer built from the object."""


class ComputedRaw(Computed, fields.Raw):
    """Any JSON value built from the object."""


class ComputedStrings(Computed, fields.List):
    """A list of strings built from the object."""

    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        fields.List.__init__(self, fields.String(), **kwargs)
        self.compute = compute


class Links(fields.Nested):
    """The `_links` of a resource: a nested schema whose fields are read from the resource itself."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return obj


def id_link(endpoint: str, attribute: str = "id") -> Link:
    """Return a link to `endpoint` for the integer id in the object's `attribute`."""
    read = operator.attrgetter(attribute)
    return Link(lambda obj: id_url(endpoint, read(obj)), required=True)


class UserLinks(Schema):
    self = id_link("api.get_user")
    followers = id_link("api.get_followers")
    following = id_link("api.get_following")
    avatar = Link(lambda user: user.avatar(128), required=True)


class User(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    domain = fields.String(
        allow_none=True, metadata={"description": "The server of an account of another server (null: this one's)."}
    )
    email = fields.String(metadata={"description": "Only on your own record."})
    last_seen = fields.DateTime(allow_none=True)
    about_me = fields.String(allow_none=True)
    post_count = fields.Integer(required=True, attribute="posts_counter")
    follower_count = fields.Integer(required=True, attribute="followers_counter")
    following_count = fields.Integer(required=True, attribute="following_counter")
    links = Links(UserLinks, data_key="_links", required=True)


class Media(Schema):
    id = fields.Integer(required=True)
    type = ComputedString(lambda image: "image", required=True, validate=validate.OneOf(["image"]))
    url = Link(lambda image: media.url(image, "original", external=True), required=True)
    preview_url = Link(
        lambda image: media.url(image, "preview", external=True),
        required=True,
        metadata={"description": "A smaller copy (the original when it is small already)."},
    )
    description = fields.String(required=True, attribute="alt_text", metadata={"description": "The alt text."})
    width = fields.Integer(required=True, metadata={"description": "Of the original, in pixels."})
    height = fields.Integer(required=True, metadata={"description": "Of the original, in pixels."})
    content_type = fields.String(
        required=True, metadata={"description": "Of both files: image/jpeg or image/png (metadata stripped)."}
    )


class PostLinks(Schema):
    self = id_link("api.get_post")
    author = id_link("api.get_user", "user_id")


class Writing(Schema):
    """What posts and messages both are: a numbered text written at a time."""

    id = fields.Integer(required=True)
    body = fields.String(required=True)
    timestamp = fields.DateTime(required=True)


class Post(Writing):
    language = ComputedString(lambda post: post.language or "", required=True)
    author_id = fields.Integer(required=True, attribute="user_id")
    author = fields.String(
        required=True, attribute="author.username", metadata={"description": "The author's username."}
    )
    in_reply_to = fields.Integer(
        required=True, allow_none=True, attribute="in_reply_to_id", metadata={"description": "The post this answers."}
    )
    replies_count = fields.Integer(required=True)
    likes_count = fields.Integer(required=True)
    reposts_count = fields.Integer(required=True)
    liked = fields.Boolean(required=True, attribute="reader_liked", metadata={"description": "Whether you like it."})
    reposted = fields.Boolean(
        required=True, attribute="reader_reposted", metadata={"description": "Whether you reposted it."}
    )
    mentions = ComputedStrings(
        lambda post: sorted(post.mentioned.values()), required=True, metadata={"description": "Usernames it names."}
    )
    tags = ComputedStrings(
        lambda post: conversations.find_tags(post.body), required=True, metadata={"description": "Its hashtags."}
    )
    media = fields.Nested(
        Media, many=True, required=True, attribute="images", metadata={"description": "Its images, in order."}
    )
    repost_of = fields.Nested(
        lambda: Post(exclude=("repost_of",)),
        required=True,
        allow_none=True,
        metadata={"description": "For a repost (an empty post of the reposter's), the post reposted."},
    )
    links = Links(PostLinks, data_key="_links", required=True)


class Context(Schema):
    ancestors = fields.List(fields.Nested(Post), required=True, metadata={"description": "Oldest first."})
    descendants = fields.List(fields.Nested(Post), required=True, metadata={"description": "Oldest first."})


class ActivityEntry(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in models.ActivityKind]), attribute="activity.kind"
    )
    timestamp = fields.DateTime(required=True, attribute="activity.timestamp")
    actor_id = fields.Integer(required=True, attribute="activity.actor_id")
    actor = fields.String(required=True, attribute="activity.actor.username", metadata={"description": "Who did it."})
    others = fields.Integer(
        required=True, metadata={"description": "How many more people did the same (likes, reposts)."}
    )
    post_id = fields.Integer(required=True, allow_none=True, attribute="activity.post_id")
    unread = fields.Boolean(required=True)


class Message(Writing):
    sender_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null once the sender deleted their account."}
    )
    sender = fields.String(
        required=True,
        allow_none=True,
        attribute="sender_name",
        metadata={"description": "The sender's username; null once they deleted their account."},
    )
    recipient_id = fields.Integer(required=True)
    recipient = fields.String(required=True, attribute="recipient.username")


class Notification(Schema):
    name = fields.String(required=True)
    data = ComputedRaw(lambda notification: notification.get_data(), required=True, allow_none=True)
    timestamp = fields.Float(required=True)


class TaskLinks(Schema):
    self = Link(lambda task: url_for("api.get_task", id=task.id), required=True)


class Task(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    complete = fields.Boolean(required=True)
    failed = fields.Boolean(required=True)
    error = fields.String(allow_none=True)
    progress = ComputedInteger(lambda task: task.get_progress(), required=True)
    links = Links(TaskLinks, data_key="_links", required=True)


class Report(Schema):
    id = fields.Integer(required=True)
    reason = fields.String(required=True)
    comment = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    post_id = fields.Integer(required=True, allow_none=True, metadata={"description": "The post reported, if any."})
    user_id = fields.Integer(
        required=True, attribute="reported_id", metadata={"description": "The account reported (a post's author)."}
    )


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
ActivityCollection = collection(ActivityEntry, "ActivityCollection")

# The representation of each model in API responses (see app.api.representation).
REPRESENTATIONS: dict[type, Schema] = {
    # A user's email address is shown only on request (on their own record).
    models.User: User(exclude=("email",)),
    models.Post: Post(),
    models.Media: Media(),
    models.Message: Message(),
    models.Notification: Notification(),
    models.Task: Task(),
    models.Report: Report(),
    conversations.Entry: ActivityEntry(),
}
