"""A post's thread: the posts it answers and the replies below it, each in one query."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Post, User, visibility

# How far up a thread is followed (a reply chain longer than this shows its newest part).
MAX_ANCESTORS = 100


def thread_head(id: int, reader: User) -> tuple[Post, list[Post]] | None:
    """Return the post with this id and the posts it answers, oldest first, in one query, read for `reader`.

    None when there is no such post or `reader` may not open it (as `app.safety.may_reach`
    decides); the answered posts are those of `ancestors`. Each post carries the reader's likes,
    reposts and mentioned names (`Post.load_for`), so the thread annotates them without a query.
    """
    chain = _chain_from(Post.id == id, 0)
    head = sa.and_(chain.c.depth == 0, visibility.reachable_posts(Post.user_id, Post.repost_of_user_id, reader))
    query = _chain_posts(chain, sa.or_(head, sa.and_(chain.c.depth > 0, Post.visible_to(reader, tombstones=True))))
    posts = Post.load_for(query, visibility.signed_in_id(reader))
    if not posts or posts[-1].id != id:
        return None
    return posts[-1], posts[:-1]


def ancestors(post: Post, reader: User | None = None) -> list[Post]:
    """Return the posts `post` answers, oldest first, tombstones included; those `reader` does not see are left out."""
    if post.in_reply_to_id is None:
        return []
    chain = _chain_from(Post.id == post.in_reply_to_id, 1)
    query = _chain_posts(chain, Post.visible_to(reader, tombstones=True))
    return Post.load_for(query, visibility.signed_in_id(reader))


def _chain_from(first: sa.ColumnElement[bool], depth: int) -> sa.CTE:
    """The chain of posts up a thread from the post `first` selects (at `depth`): id, answered id, depth."""
    chain = sa.select(Post.id, Post.in_reply_to_id, sa.literal(depth).label("depth")).where(first)
    chain = chain.cte("ancestors", recursive=True)
    return chain.union_all(
        sa.select(Post.id, Post.in_reply_to_id, (chain.c.depth + 1).label("depth"))
        .join(chain, Post.id == chain.c.in_reply_to_id)
        .where(chain.c.depth < MAX_ANCESTORS)
    )


def _chain_posts(chain: sa.CTE, keep: sa.ColumnElement[bool]) -> sa.Select:
    """The posts of `chain` that `keep` keeps, with their cards, the farthest up first."""
    query = sa.select(Post).join(chain, Post.id == chain.c.id).options(*Post.card_options())
    return query.where(keep).order_by(chain.c.depth.desc())


def descendants(post: Post, reader: User | None = None) -> sa.Select:
    """Return a select of every reply below `post`, at any depth, oldest first, but for those `reader` does not see.

    The replies to a thread's first post are those that name it their root: a page of them is one
    range of the (root_id, timestamp) index, whatever the thread's size. Below a reply, the tree is
    walked (`_walk`).
    """
    if post.root_id is None and post.in_reply_to_id is None:
        shown = visibility.visible_posts(Post.user_id, Post.repost_of_user_id, reader, tombstones=True)
        return (
            sa.select(Post)
            .where(Post.root_id == post.id, shown)
            .options(*Post.card_options())
            .order_by(Post.timestamp, Post.id)
        )
    return _walk(post, reader)


def _walk(post: Post, reader: User | None) -> sa.Select:
    """Return `descendants` of a reply, found by walking the tree below it.

    The tree is walked in the reply index, which holds what the page's order and the visibility
    rule read (time, id, author, reposted author): the page's replies are picked there, and only
    they are then read with what their cards show. The picked replies come sorted from a
    subquery the database may not flatten (OFFSET 0), so the rows and authors are looked up for
    the page alone: otherwise PostgreSQL, estimating the tree at millions of rows, joins every
    reply to its row and author before sorting (a 4,085-reply post of the 1M-post benchmark: 5,032
    replies joined and sorted to show 50).
    """
    tree = sa.select(*_TREE_COLUMNS).where(Post.in_reply_to_id == post.id).cte("descendants", recursive=True)
    tree = tree.union_all(_replies_to(tree))
    shown = visibility.visible_posts(tree.c.user_id, tree.c.repost_of_user_id, reader, tombstones=True)
    picked = (
        sa.select(tree.c.id, tree.c.timestamp)
        .where(shown)
        .order_by(tree.c.timestamp, tree.c.id)
        .offset(0)
        .subquery("picked")
    )
    return (
        sa.select(Post)
        .join(picked, Post.id == picked.c.id)
        .options(*Post.card_options())
        .order_by(picked.c.timestamp, picked.c.id)
    )


# What the walk of `descendants` carries for each reply, all of it in the reply index.
_TREE_COLUMNS = (Post.id, Post.timestamp, Post.user_id, Post.repost_of_user_id)


def _replies_to(tree: sa.CTE) -> sa.Select:
    """The recursive step of `descendants`: the replies to the posts found so far, through the reply index.

    PostgreSQL estimates each step at a share of the whole table for a post with thousands of
    replies, and then merge-joins a scan of every post on each step (a 4,085-reply post of the
    1M-post benchmark: 2.6 s). A LATERAL subquery that it may not flatten (OFFSET 0) makes each
    step an index lookup per post found (2.8 ms a step). SQLite and MariaDB have no LATERAL and
    already look the replies up through the index.
    """
    if db.engine.dialect.name != "postgresql":
        return sa.select(*_TREE_COLUMNS).join(tree, Post.in_reply_to_id == tree.c.id)
    replies = sa.select(*_TREE_COLUMNS).where(Post.in_reply_to_id == tree.c.id).offset(0).lateral("replies")
    return sa.select(*replies.c).select_from(tree).join(replies, sa.true())
