"""Threads, likes, reposts, hashtags and activity."""

from flask import abort, g, request

from app import conversations
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.posts import post_or_404
from app.api.representation import collection, dump
from app.api.users import ID
from app.extensions import db

# At most this many replies below a post are returned, oldest first.
MAX_DESCENDANTS = 200


@bp.route(f"/posts/{ID}/context", methods=["GET"], errors=(404,))
@bp.response(200, schemas.Context)
def get_context(id: int):
    """Return the posts a post answers and the replies below it (at most 200), oldest first.

    Deleted posts that still hold a thread together are left out.
    """
    post = post_or_404(id)
    ancestors = [ancestor for ancestor in conversations.ancestors(post, g.current_user) if not ancestor.is_deleted]
    descendants = conversations.descendants(post, g.current_user).limit(MAX_DESCENDANTS)
    descendants = [reply for reply in db.session.scalars(descendants).unique() if not reply.is_deleted]
    conversations.annotate([*ancestors, *descendants], g.current_user)
    return {"ancestors": [dump(p) for p in ancestors], "descendants": [dump(p) for p in descendants]}


def _toggle(id: int, on, off):
    post = post_or_404(id)
    post = (on if request.method == "POST" else off)(g.current_user, post)
    return dump(post)


@bp.route(f"/posts/{ID}/like", methods=["POST", "DELETE"], errors=(404,))
@bp.response(200, schemas.Post)
def like(id: int):
    """Like a post (POST) or take the like back (DELETE); answer the post with its counts.

    Liking twice is the same as liking once. Liking a repost likes the post reposted.
    """
    return _toggle(id, conversations.like, conversations.unlike)


@bp.route(f"/posts/{ID}/repost", methods=["POST", "DELETE"], errors=(404,))
@bp.response(200, schemas.Post)
def repost(id: int):
    """Repost a post to your followers (POST) or take the repost back (DELETE); answer the post reposted."""
    return _toggle(id, conversations.repost, conversations.unrepost)


@bp.route("/tags/<tag>/posts", methods=["GET"], errors=(404,))
@paginated(schemas.PostCollection)
def get_tag_posts(tag: str, page: int, per_page: int):
    """Return a page of the posts with a hashtag (any case), newest first.

    The total of a tag with 1,000 posts or more may be up to `TAG_TOTAL_SECONDS` (60) seconds old.
    """
    if not conversations.is_tag(tag):
        abort(404, "That is not a hashtag.")
    canonical = conversations.canonical_tag(tag)
    result = conversations.tag_page(canonical, page, per_page, g.current_user)
    conversations.annotate(result.items, g.current_user)
    return collection(result, "api.get_tag_posts", tag=canonical)


@bp.route("/activity", methods=["GET"])
@paginated(schemas.ActivityCollection)
def get_activity(page: int, per_page: int):
    """Return a page of your activity, newest first: replies, mentions, likes, reposts and new followers.

    Likes and reposts of one post are one entry (`others` more people did the same). The entries
    gather your 5,000 most recent events, as the site's activity page does; older ones are not
    listed. Reading the activity here leaves it unread on the site.
    """
    user = g.current_user
    result = conversations.activity_page(user, page, per_page, user.last_activity_read_time)
    return collection(result, "api.get_activity")
