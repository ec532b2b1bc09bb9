"""Full-text search of posts."""

from flask import g

from app import conversations
from app.api import schemas
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import collection
from app.models import Post
from app.pagination import found_page


@bp.route("/search", methods=["GET"])
@paginated(schemas.PostCollection, schemas.SearchArgs)
def search_posts(q: str, page: int, per_page: int):
    """Return a page of the posts matching `q`, best match first."""
    posts, total = Post.search(
        q, page, per_page, where=Post.visible_to(g.current_user), load=Post.loader_for(g.current_user)
    )
    conversations.annotate(posts, g.current_user)
    return collection(found_page(posts, page, per_page, total), "api.search_posts", q=q)
