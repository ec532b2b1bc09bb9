"""Full-text search of posts."""

from app.api import schemas
from app.api.auth import token_auth_required
from app.api.blueprint import bp
from app.api.pagination import paginated
from app.api.representation import collection
from app.models import Post
from app.pagination import found_page


@bp.route("/search", methods=["GET"])
@token_auth_required
@paginated(schemas.SearchArgs)
@bp.response(200, schemas.PostCollection)
def search_posts(q: str, page: int, per_page: int):
    """Return a page of the posts matching `q`, best match first."""
    posts, total = Post.search(q, page, per_page)
    return collection(found_page(posts, page, per_page, total), "api.search_posts", q=q)
