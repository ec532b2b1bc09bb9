"""Post resources: publish, read, delete, and the timelines."""

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, g, url_for

from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import dump
from app.api.users import ID, user_or_404
from app.extensions import db
from app.models import Post, User
from app.translate import detect_language


def post_or_404(id: int) -> Post:
    """Return the post with this id and its author, or answer 404."""
    post = None
    if id <= schemas.MAX_ID:
        post = db.session.scalar(sa.select(Post).where(Post.id == id).options(so.joinedload(Post.author)))
    if post is None:
        abort(404, "There is no post with this id.")
    return post


@bp.route("/posts", methods=["POST"], errors=(413, 415))
@bp.arguments(schemas.PostCreate)
@bp.response(201, schemas.Post, headers={"Location": {"schema": {"type": "string"}}})
def create_post(data: dict):
    """Publish a post as the token's user; its language is detected."""
    post = Post.publish(g.current_user, data["body"], detect_language(data["body"]))
    db.session.commit()
    return dump(post), {"Location": url_for("api.get_post", id=post.id)}


@bp.route(f"/posts/{ID}", methods=["GET"], errors=(404,))
@bp.response(200, schemas.Post)
def get_post(id: int):
    """Return one post."""
    return dump(post_or_404(id))


@bp.route(f"/posts/{ID}", methods=["DELETE"], errors=(403, 404))
@bp.response(204)
def delete_post(id: int):
    """Delete one of your own posts."""
    post = post_or_404(id)
    if post.user_id != g.current_user.id:
        abort(403, "You can only delete your own posts.")
    db.session.delete(post)
    db.session.commit()
    return ""


@bp.route(f"/users/{ID}/posts", methods=["GET"], errors=(404,))
@paginated(schemas.PostCollection)
def get_user_posts(id: int, page: int, per_page: int):
    """Return a page of a user's posts, newest first."""
    user = user_or_404(id)
    query = Post.newest_first(user.posts.select())
    return Post.to_collection_dict(query, page, per_page, "api.get_user_posts", total=user.posts_counter, id=id)


@bp.route("/timeline", methods=["GET"])
@paginated(schemas.PostCollection)
def get_timeline(page: int, per_page: int):
    """Return a page of your home timeline: your posts and those of the users you follow, newest first."""
    user = g.current_user
    size = user.timeline_size()
    return Post.to_collection_dict(user.following_posts(size), page, per_page, "api.get_timeline", total=size)


@bp.route("/explore", methods=["GET"])
@paginated(schemas.PostCollection)
def get_explore(page: int, per_page: int):
    """Return a page of everyone's posts, newest first."""
    return Post.to_collection_dict(Post.newest_first(), page, per_page, "api.get_explore", total=User.total_posts())
