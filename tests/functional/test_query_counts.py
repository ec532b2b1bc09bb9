"""Each page runs a fixed number of SQL queries, however many rows it shows (X-Query-Count)."""

import pytest

from app import confirmation, conversations, media, moderation, safety
from app.extensions import db
from app.models import Message, Post, Role
from app.pagination import Cursor
from tests.support.apps import make_app, reset_database
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.images import image_bytes

# The most queries each page may run; raising a number here should be a conscious decision.
BUDGET = {
    "/": 6,
    "/index?page=2": 6,
    # The pages its links lead to: read from a place in the timeline (app.pagination.Cursor).
    "/index?page=2&before={before}": 6,
    "/index?page=2&after={after}": 6,
    # The page's likes, reposts and mentions in one, its images in another (app.conversations.annotate).
    "/explore": 6,
    "/user/star": 7,
    "/user/star/popup": 3,
    "/messages": 4,
    "/notifications?since=0": 2,
    "/search?q=word": 6,
    "/api/users/{star}": 3,
    "/api/users?per_page=100": 4,
    "/api/timeline?per_page=100": 6,
    "/api/timeline?per_page=100&page=2&before={before}": 6,
    "/post/{thread}": 6,
    "/tag/word": 5,
    "/activity": 6,
    "/api/posts/{thread}/context": 5,
    "/api/tags/word/posts": 5,
    "/api/activity": 5,
    "/moderation": 4,  # the reports with their reporters, accounts, posts and answered posts in one
    "/moderation?order=newest": 4,
    "/admin": 4,  # the counts in one query, the 30 days' sign-ups and posts in another
    "/admin/audit": 3,
    "/auth/change_email": 2,
    "/auth/confirm/{confirm}": 3,
    "/settings/blocks": 4,
    "/api/blocks": 4,
    "/api/mutes": 4,
    # The signed-in reader, the account, its posts (read as anyone reads them), their images.
    "/user/star/feed.atom": 4,
    "/tag/word/feed.atom": 3,  # the signed-in reader, the tag's count, its posts with their authors
    "{avatar}": 0,  # an identicon is drawn from the id in its URL alone
    "/media/{media}/preview": 2,  # the reader, then the image with its owner's suspension in one
}
# The pages whose counts must not change when the reader blocks, mutes and is blocked by people.
UNMOVED_BY_BOUNDARIES = (
    "/",
    "/index?page=2",
    "/index?page=2&before={before}",
    "/explore",
    "/api/timeline?per_page=100",
)


def build_site(rows: int, upload_dir, boundaries: bool = True):
    """Return an app where 'reader' follows `rows` users who each wrote posts and messages.

    Each of them also answers the reader's post (naming the reader), tags a post, likes and
    reposts one of the star's posts and follows the reader, so threads, tag pages and the
    activity page have a row per author. The reader is an administrator: each author reports
    the reader's post, the star reports each answer, and the audit log has an entry per author.
    With `boundaries`, 3 × `rows` more users write a post and repost the star's: the reader
    blocks a third of them, mutes a third, and is blocked by the rest, so the settings pages
    list a row per user and the timelines have posts to hide. The star's post carries four images
    and every other post of the authors one (their files in `upload_dir`).
    """
    app = make_app(QUERY_COUNT_HEADER=True, POSTS_PER_PAGE=5, UPLOAD_DIR=str(upload_dir))
    with app.test_request_context():
        reader = UserFactory(username="reader", role=Role.ADMINISTRATOR)
        star = UserFactory(username="star")
        thread = conversations.publish(reader, "what do you all think?", "en")
        authors = [star, *(UserFactory() for _ in range(rows))]
        for author in authors:
            reader.follow(author)
            for n in range(3):
                # Each carries an image, so that every page of posts runs its images' query.
                post = Post(body=f"a word from {author.username} number {n}", author=author)
                db.session.add(post)
                media.attach([media.store(author, image_bytes("PNG"), f"picture {n}").id], post, author)
            db.session.add(Message(author=author, recipient=reader, body="hello there"))
            answer = conversations.publish(
                author, f"@reader I think so #word {author.username}", "en", in_reply_to=thread
            )
            author.follow(reader)
            if author is not star:
                moderation.report_post(author, thread, "spam", "not again")
                moderation.report_post(star, answer, "abuse")
                moderation.record(reader, moderation.AuditAction.DISMISS_REPORT, author, why="fine")
        db.session.commit()
        # Reposted by everyone, so it tops every timeline; it names the reader, so its card needs the mention query.
        starred = conversations.publish(star, "a word to @reader", "en")
        images = [media.store(star, image_bytes("PNG"), f"picture {n}") for n in range(4)]
        media.attach([image.id for image in images], starred, star)
        for author in authors[1:]:
            conversations.like(author, thread)
            conversations.like(author, starred)
            conversations.repost(author, starred)
        if boundaries:
            for n in range(rows):
                blocked, muted, blocker = (
                    UserFactory(username=f"{kind}{n}") for kind in ("blocked", "muted", "blocker")
                )
                for person in (blocked, muted, blocker):
                    db.session.add(Post(body=f"hidden words of {person.username}", author=person))
                    conversations.repost(person, starred)
                safety.block(reader, blocked)
                safety.mute(reader, muted)
                safety.block(blocker, reader)
            db.session.commit()
        app.config["STAR_ID"] = star.id
        # Places in the reader's timeline: before the newest post (the star's), after the reader's first.
        app.config["BEFORE"] = str(Cursor.of(starred, older=True))
        app.config["AFTER"] = str(Cursor.of(thread, older=False))
        app.config["THREAD_ID"] = thread.id
        app.config["MEDIA_KEY"] = images[0].key
        app.config["CONFIRM_TOKEN"] = confirmation.make_token(reader, reader.email)
        app.config["STAR_AVATAR"] = star.avatar(70)
    return app


def query_counts(app, paths=BUDGET) -> dict[str, int]:
    client = app.test_client()
    assert client.post("/auth/login", data={"username": "reader", "password": DEFAULT_PASSWORD}).status_code == 302
    token = client.post("/api/tokens", auth=("reader", DEFAULT_PASSWORD)).get_json()["token"]
    counts = {}
    for path in paths:
        url = path.format(
            star=app.config["STAR_ID"],
            thread=app.config["THREAD_ID"],
            confirm=app.config["CONFIRM_TOKEN"],
            avatar=app.config["STAR_AVATAR"],
            media=app.config["MEDIA_KEY"],
            before=app.config["BEFORE"],
            after=app.config["AFTER"],
        )
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        client.get(url, headers=headers).close()  # warm: last_seen and read markers settle first
        response = client.get(url, headers=headers)
        response.close()  # a served image's file
        assert response.status_code == 200, (url, response.status_code)
        counts[path] = int(response.headers["X-Query-Count"])
    return counts


@pytest.fixture(scope="module")
def small_and_large(tmp_path_factory):
    small_app = build_site(2, tmp_path_factory.mktemp("small-uploads"))
    large_app = build_site(30, tmp_path_factory.mktemp("large-uploads"))
    try:
        with small_app.app_context():
            small = query_counts(small_app)
        with large_app.app_context():
            large = query_counts(large_app)
        yield small, large
    finally:
        reset_database(small_app)
        reset_database(large_app)


@pytest.mark.parametrize("path", list(BUDGET))
def test_page_runs_the_same_queries_for_few_and_many_rows(small_and_large, path):
    small, large = small_and_large
    assert small[path] == large[path], f"{path}: {small[path]} queries with 3 authors, {large[path]} with 31"


@pytest.mark.parametrize("path", list(BUDGET))
def test_page_stays_within_its_query_budget(small_and_large, path):
    _, large = small_and_large
    assert large[path] <= BUDGET[path], f"{path} ran {large[path]} queries (budget {BUDGET[path]})"


def test_blocks_and_mutes_add_no_query_to_the_timelines(small_and_large, tmp_path):
    _, large = small_and_large
    plain_app = build_site(30, tmp_path, boundaries=False)
    try:
        with plain_app.app_context():
            plain = query_counts(plain_app, UNMOVED_BY_BOUNDARIES)
    finally:
        reset_database(plain_app)
    for path in UNMOVED_BY_BOUNDARIES:
        assert large[path] == plain[path], f"{path}: {large[path]} queries with blocks and mutes, {plain[path]} without"
