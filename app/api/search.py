"""Full-text search of posts."""

from app.api import bp, schemas
from app.api.auth import token_auth_required
from app.api.pagination import paginated
from app.models import Post
from app.models.mixins import collection_dict


@bp.route("/search", methods=["GET"])
@token_auth_required
@paginated(schemas.SearchArgs)
@bp.response(200, schemas.PostCollection)
def search_posts(q: str, page: int, per_page: int):
    """Return a page of the posts matching `q`, best match first."""
    posts, total = Post.search(q, page, per_page)
    return collection_dict(Post.page_to_dicts(posts), page, per_page, total, "api.search_posts", q=q)
