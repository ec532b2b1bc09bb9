"""Post resources: publish, read, delete, and the timelines."""

import sqlalchemy as sa
from flask import abort, g, url_for

from app import conversations, safety
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import collection, dump
from app.api.users import ID, reachable_user_or_404
from app.extensions import db
from app.models import Post, User
from app.pagination import Cursor, Seek, paginate
from app.translate import detect_language


def post_or_404(id: int) -> Post:
    """Return the post with this id and what its representation shows, or answer 404 (deleted posts too).

    Also 404 when a block stands between the caller and the author (or the reposted post's
    author), or when that author is suspended.
    """
    post = None
    if id <= schemas.MAX_ID:
        post = db.session.scalar(sa.select(Post).where(Post.id == id).options(*Post.card_options()))
    if (
        post is None
        or post.is_deleted
        or not safety.may_reach(g.current_user, post.author)
        or not safety.may_reach(g.current_user, post.shown.author)
    ):
        abort(404, "There is no post with this id.")
    return post


def posts_page(
    query: sa.Select,
    page: int,
    per_page: int,
    total: int,
    endpoint: str,
    seek: Seek | None = None,
    cursor: Cursor | None = None,
    **kwargs,
) -> dict:
    """Return a page of posts newest first, with the caller's likes and reposts on them.

    With `seek`, the list is read by cursor, from `cursor` if there is one (see `app.pagination.paginate`).
    """
    result = paginate(query, page, per_page, Post.pages_for(g.current_user), total, seek, cursor)
    conversations.annotate(result.items, g.current_user)
    return collection(result, endpoint, **kwargs)


@bp.route("/posts", methods=["POST"], errors=(404, 413, 415))
@bp.arguments(schemas.PostCreate)
@bp.response(201, schemas.Post, headers={"Location": {"schema": {"type": "string"}}})
def create_post(data: dict):
    """Publish a post as the token's user, or a reply with `in_reply_to`; its language is detected.

    `@name` of a known user and `#tag` are recorded; the people answered and named are told.
    `media_ids` attaches up to four of your images uploaded with `POST /api/media` and not attached
    yet; any other id (someone else's, unknown, attached already, repeated) is a 400 and nothing is posted.
    """
    parent = post_or_404(data["in_reply_to"]) if "in_reply_to" in data else None
    body = data["body"]
    try:
        post = conversations.publish(
            g.current_user, body, detect_language(body), in_reply_to=parent, media_ids=data.get("media_ids")
        )
    except conversations.CannotReply:
        db.session.rollback()
        abort(404, "There is no post with this id.")
    db.session.commit()
    post = post_or_404(post.id)
    conversations.annotate([post], g.current_user)
    return dump(post), {"Location": url_for("api.get_post", id=post.id)}


@bp.route(f"/posts/{ID}", methods=["GET"], errors=(404,))
@bp.response(200, schemas.Post)
def get_post(id: int):
    """Return one post."""
    post = post_or_404(id)
    conversations.annotate([post], g.current_user)
    return dump(post)


@bp.route(f"/posts/{ID}", methods=["DELETE"], errors=(403, 404))
@bp.response(204)
def delete_post(id: int):
    """Delete one of your own posts (or reposts). Its replies stay; the thread shows it as deleted."""
    post = post_or_404(id)
    if post.user_id != g.current_user.id:
        abort(403, "You can only delete your own posts.")
    conversations.delete(post)
    db.session.commit()
    return ""


@bp.route(f"/users/{ID}/posts", methods=["GET"], errors=(404,))
@paginated(schemas.PostCollection)
def get_user_posts(id: int, page: int, per_page: int):
    """Return a page of a user's posts, newest first."""
    user = reachable_user_or_404(id)
    query = Post.newest_first(user.posts.select().where(Post.visible_to(g.current_user)))
    return posts_page(query, page, per_page, user.posts_counter, "api.get_user_posts", id=id)


@bp.route("/timeline", methods=["GET"])
@paginated(schemas.PostCollection, schemas.TimelineArgs)
def get_timeline(page: int, per_page: int, before: Cursor | None = None, after: Cursor | None = None):
    """Return a page of your home timeline: your posts and those of the users you follow, newest first.

    The `next` and `prev` links carry a cursor (`before`, `after`): a page read from one costs what
    the first page costs however deep it is, and does not shift when new posts arrive. `page` alone
    still works, counting from the newest post.
    """
    user = g.current_user
    size = user.timeline_size()
    timeline = user.following_posts(size)
    return posts_page(timeline, page, per_page, size, "api.get_timeline", Post.seek, before or after)


@bp.route("/explore", methods=["GET"])
@paginated(schemas.PostCollection)
def get_explore(page: int, per_page: int):
    """Return a page of everyone's posts, newest first."""
    query = Post.newest_first(sa.select(Post).where(Post.visible_to(g.current_user)))
    return posts_page(query, page, per_page, User.total_posts(), "api.get_explore")
