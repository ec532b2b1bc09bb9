"""Post resources."""

import sqlalchemy.orm as so
from flask import abort, g, url_for

from app.api import bp
from app.api.auth import token_auth_required
from app.api.errors import bad_request
from app.api.request_data import json_body, pagination_args
from app.extensions import db
from app.main.routes import posts_newest_first
from app.models import Post
from app.services.language import detect_language


@bp.route("/posts/<int:id>", methods=["GET"])
@token_auth_required
def get_post(id: int):
    """Return one post."""
    return db.get_or_404(Post, id).to_dict()


@bp.route("/posts", methods=["POST"])
@token_auth_required
def create_post():
    """Publish a post as the token's user."""
    data = json_body()
    body = data.get("body")
    if not isinstance(body, str) or not body.strip() or len(body) > 140 or "\x00" in body:
        return bad_request("body must be 1 to 140 characters.", {"body": "1 to 140 characters."})
    post = Post(body=body.strip(), author=g.current_user, language=detect_language(body))
    db.session.add(post)
    db.session.commit()
    return post.to_dict(), 201, {"Location": url_for("api.get_post", id=post.id)}


@bp.route("/posts/<int:id>", methods=["DELETE"])
@token_auth_required
def delete_post(id: int):
    """Delete one of your own posts."""
    post = db.get_or_404(Post, id)
    if post.user_id != g.current_user.id:
        abort(403)
    db.session.delete(post)
    db.session.commit()
    return "", 204


@bp.route("/timeline", methods=["GET"])
@token_auth_required
def get_timeline():
    """Return the token user's home timeline."""
    page, per_page = pagination_args()
    return Post.to_collection_dict(g.current_user.following_posts(), page, per_page, "api.get_timeline")


@bp.route("/explore", methods=["GET"])
@token_auth_required
def get_explore():
    """Return everyone's posts, newest first."""
    page, per_page = pagination_args()
    return Post.to_collection_dict(posts_newest_first(), page, per_page, "api.get_explore")


@bp.route("/users/<int:id>/posts", methods=["GET"])
@token_auth_required
def get_user_posts(id: int):
    """Return a user's posts, newest first."""
    from app.models import User

    user = db.get_or_404(User, id)
    query = user.posts.select().options(so.joinedload(Post.author)).order_by(Post.timestamp.desc(), Post.id.desc())
    page, per_page = pagination_args()
    return Post.to_collection_dict(query, page, per_page, "api.get_user_posts", id=id)
