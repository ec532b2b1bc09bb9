"""`flask seed`: realistic demo data, generated deterministically and inserted in bulk.

Users follow a Zipf-like popularity curve (a few write and are followed a
lot), posts spread over the last year in English, Spanish and Chinese, and
every seeded account shares one password so no hash is computed per user.

The posts hold conversations: some carry #hashtags (a small vocabulary, a few tags much more used
than the rest) or @mention a popular user, a share are replies to an earlier post (written after
it, starting with "@author "), and others like and repost posts. Each post has a heavy-tailed
popularity that draws its replies, likes and reposts, so a few posts gather many of them.

Everything is generated in Python with explicit ids and inserted in batches; the mentions and
hashtags are those the app's own parser finds in the bodies. The counters (a post's replies,
likes and reposts, a user's posts and follows) are then set by bulk UPDATEs that count the rows,
and the activity entries the app would have written are added by INSERT ... SELECT.

With `--media`, that many posts (not replies) carry one to four images: a few demo pictures,
drawn and processed once, whose files are written again under each image's own key.
"""

import io
import random
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from PIL import Image, ImageDraw
from werkzeug.security import generate_password_hash

from app import media as media_service
from app.conversations.markup import find_mentions, find_tags
from app.extensions import db
from app.media.processing import process
from app.models import (
    Activity,
    ActivityKind,
    Block,
    Like,
    Media,
    Mention,
    Mute,
    Post,
    PostTag,
    User,
    followers,
    utcnow,
)
from app.models.media import file_name, new_key
from app.search.text import normalize_text

DEMO_PASSWORD = "microblog-demo"
# One word appears in about 1% of posts, so benchmarks have a known-selectivity search.
RARE_WORD = "lighthouse"
RARE_WORD_SHARE = 0.01
BATCH = 10_000
MAX_BODY = 140

DAY = 24 * 3600
YEAR = 365 * DAY
# The defaults of --replies, --likes and --reposts, per post.
REPLY_SHARE = 0.20
LIKES_PER_POST = 1.0
REPOST_SHARE = 0.05
# Shares of the posts that carry hashtags, that name a popular user, and (of those that are not
# replies) that were written in the last day, so that explore's trending tags are never empty.
TAG_SHARE = 0.15
MENTION_SHARE = 0.03
RECENT_SHARE = 0.01
# Different pictures drawn for --media, and the chance that a post with images has one more.
DEMO_PICTURES = 8
ANOTHER_IMAGE = 0.25
# A post's popularity is Pareto-distributed: most posts get little attention, a few a lot.
POPULARITY_SHAPE = 1.5
# Mean delays, in seconds, after the post: of a reply, of a like or repost.
REPLY_DELAY = 6 * 3600
REACTION_DELAY = DAY

# Hashtags, most used first (written in lower case; some posts capitalise them).
TAGS = (
    "coffee music weekend photography travel books café python opensource running sunset food "
    "fútbol música viaje 周末 咖啡 音乐 garden cycling movies rain release flask cooking"
).split()

ENGLISH = (
    "the a coffee morning city river music friends weekend garden book train rain sunny quiet busy "
    "walk read write cook learn build share love enjoy found today tomorrow yesterday new old small "
    "big great little long short happy tired ready together always never again finally really project "
    "team idea photo movie dinner lunch market street park night light window mountain sea beach "
    "bicycle kitchen bread tea letter song story game code bug release deploy test review meeting"
).split()
SPANISH = (
    "el la un una café mañana ciudad río música amigos fin semana jardín libro tren lluvia soleado "
    "tranquilo caminar leer escribir cocinar aprender construir compartir encontré hoy ayer nuevo "
    "viejo pequeño grande feliz cansado listo juntos siempre nunca otra vez por fin canción noche luz "
    "ventana montaña mar playa bicicleta cocina pan té carta historia juego código reunión equipo"
).split()
CHINESE = (
    "今天 明天 昨天 咖啡 早上 城市 河边 音乐 朋友 周末 花园 看书 火车 下雨 晴天 安静 散步 写字 做饭 学习 "
    "分享 喜欢 发现 新的 小小 很大 快乐 累了 一起 总是 终于 真的 项目 团队 想法 照片 电影 晚饭 午饭 市场 "
    "街道 公园 晚上 灯光 窗户 山上 大海 海边 自行车 厨房 面包 喝茶 信件 歌曲 故事 游戏 代码 会议"
).split()
LANGUAGES = (("en", ENGLISH, " "), ("es", SPANISH, " "), ("zh", CHINESE, ""))

Progress = Callable[[str, int, int], None]  # (stage, rows just done, the stage's total)


def zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    """Return cumulative Zipf-like weights for `count` ranks (rank 1 most popular)."""
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def make_body(rng: random.Random) -> tuple[str, str]:
    """Return a post body of 4-14 words and its language code."""
    code, words, separator = rng.choices(LANGUAGES, weights=(6, 3, 2))[0]
    picked = [rng.choice(words) for _ in range(rng.randint(4, 14))]
    if rng.random() < RARE_WORD_SHARE:
        picked.insert(rng.randrange(len(picked) + 1), RARE_WORD)
        separator = " "
    body = separator.join(picked)[:MAX_BODY]
    return body, code


def default_counts(posts: int) -> dict[str, int]:
    """Return the default numbers of replies, likes and reposts for `posts` posts."""
    return {
        "replies": int(posts * REPLY_SHARE),
        "likes": int(posts * LIKES_PER_POST),
        "reposts": int(posts * REPOST_SHARE),
    }


def seed(
    users: int,
    posts: int,
    follows: int,
    seed_value: int = 1,
    progress: Progress | None = None,
    replies: int | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    blocks: int = 0,
    mutes: int = 0,
    media: int = 0,
    follow_shape: str = "writers",
) -> dict[str, int]:
    """Insert users, posts (`replies` of them replies), reposts, likes, follows, blocks, mutes, images; return counts.

    `blocks` and `mutes` are drawn from a stream of their own after everything else, so they
    change nothing else of a seed's data but the follows a block ends (both ways, as `block` does).
    So are the `media` posts that carry images, and their images.

    `follow_shape` decides whom people follow, always by a Zipf-like popularity. "writers": the most
    followed are the most prolific writers, so every timeline holds a large share of all posts.
    "zipf": popularity is a ranking of its own (a shuffle from its own stream), unrelated to how much
    anyone writes, as in a real network; a timeline then holds from about 1.5% to 27% of all posts
    (rather than 30% to 58%), the middle sizes whose deep pages a plan can misjudge.

    Counts left out take `default_counts(posts)`. Users, posts and follows are drawn from one random
    stream and everything about conversations from another, so a seed's users, authors, post texts
    and follows do not depend on the conversation settings.
    """
    defaults = default_counts(posts)
    replies = min(defaults["replies"] if replies is None else replies, max(posts - 1, 0))
    likes = defaults["likes"] if likes is None else likes
    reposts = defaults["reposts"] if reposts is None else reposts
    rng = random.Random(seed_value)
    talk = random.Random(f"conversations-{seed_value}")
    report = progress or (lambda stage, n, total: None)
    first_id = _next_id(User)
    first_post_id = _next_id(Post)
    prefix = f"s{seed_value}"
    password_hash = generate_password_hash(DEMO_PASSWORD)
    now = utcnow()
    usernames: list[str] = []

    def user_rows() -> Iterator[dict]:
        for i in range(users):
            username = f"{rng.choice(ENGLISH)}{i}_{prefix}"
            usernames.append(username)
            yield {
                "id": first_id + i,
                "username": username,
                "username_lower": username.lower(),
                "email": f"{username}@example.com",
                "password_hash": password_hash,
                "confirmed": True,
                "about_me": make_body(rng)[0],
                "last_seen": now - timedelta(minutes=rng.randrange(60 * 24 * 30)),
            }

    _insert(User.__table__, user_rows(), lambda n: report("users", n, users))
    user_ids = list(range(first_id, first_id + users))
    weights = zipf_weights(users)
    by_name = {name.lower(): first_id + i for i, name in enumerate(usernames)}

    # What later stages need of each post: its author (as an index into usernames), its age in whole
    # seconds before `now` (so that "after" survives databases that keep whole seconds), and the
    # running total of the posts' popularity (to draw a post by popularity with bisect).
    authors = array("i")
    ages = array("i")
    popularity = array("d")
    roots = array("i")  # each post's thread: the index of the post its chain of replies starts at
    tag_rows: list[tuple[int, str, int]] = []
    mention_rows: list[tuple[int, int, str]] = []  # (post, user, name as written, lower-cased)
    is_reply = bytearray(posts)
    for index in talk.sample(range(1, posts), replies) if replies else ():
        is_reply[index] = 1
    tag_weights = zipf_weights(len(TAGS))

    def post_rows() -> Iterator[dict]:
        drawn = rng.choices(user_ids, cum_weights=weights, k=posts)
        total = 0.0
        for index, author in enumerate(drawn):
            body, language = make_body(rng)
            age = rng.randrange(YEAR)
            # From here on only `talk` draws: `rng` goes on as if posts had no conversations.
            parent = _pick_parent(talk, popularity, ages, index) if is_reply[index] else None
            if parent is None:
                is_reply[index] = 0  # (when every earlier post was written "now", it cannot have a reply)
            if parent is not None:
                age = ages[parent] - _delay(talk, REPLY_DELAY, ages[parent])
            elif talk.random() < RECENT_SHARE:
                age = talk.randrange(DAY)
            body = _converse(talk, body, author - first_id, parent, authors, usernames, weights, tag_weights)
            post_id = first_post_id + index
            timestamp = now - timedelta(seconds=age)
            if "#" in body:
                tag_rows.extend((post_id, tag, age) for tag in find_tags(body))
            if "@" in body:
                named = {by_name[name]: name for name in find_mentions(body) if name in by_name}
                mention_rows.extend((post_id, user_id, named[user_id]) for user_id in sorted(named))
            authors.append(author - first_id)
            ages.append(age)
            roots.append(index if parent is None else roots[parent])
            total += talk.paretovariate(POPULARITY_SHAPE)
            popularity.append(total)
            yield {
                "id": post_id,
                "body": body,
                "search_text": normalize_text(body),
                "language": language,
                "user_id": author,
                "timestamp": timestamp,
                "in_reply_to_id": None if parent is None else first_post_id + parent,
                "root_id": None if parent is None else first_post_id + roots[index],
            }

    _insert(Post.__table__, post_rows(), lambda n: report("posts", n, posts))
    replies = sum(is_reply)

    chosen_reposts = _reactions(talk, reposts, users, popularity, authors, ages)
    first_repost_id = first_post_id + posts

    def repost_rows() -> Iterator[dict]:
        for index, (key, age) in enumerate(chosen_reposts.items()):
            user, post = divmod(key, posts)
            yield {
                "id": first_repost_id + index,
                "body": "",
                "search_text": normalize_text(""),
                "language": None,
                "user_id": first_id + user,
                "timestamp": now - timedelta(seconds=age),
                "repost_of_id": first_post_id + post,
                "repost_of_user_id": first_id + authors[post],
            }

    _insert(Post.__table__, repost_rows(), lambda n: report("reposts", n, len(chosen_reposts)))
    _advance_sequences(User, Post)

    _insert(
        PostTag.__table__,
        ({"post_id": p, "tag": t, "timestamp": now - timedelta(seconds=age)} for p, t, age in tag_rows),
        lambda n: report("tags", n, len(tag_rows)),
    )
    _insert(
        Mention.__table__,
        ({"post_id": p, "user_id": u, "name": name} for p, u, name in mention_rows),
        lambda n: report("mentions", n, len(mention_rows)),
    )
    tags, mentions = len(tag_rows), len(mention_rows)
    tag_rows.clear()
    mention_rows.clear()

    chosen_likes = _reactions(talk, likes, users, popularity, authors, ages)

    def like_rows() -> Iterator[dict]:
        for key in sorted(chosen_likes):
            user, post = divmod(key, posts)
            yield {
                "user_id": first_id + user,
                "post_id": first_post_id + post,
                "timestamp": now - timedelta(seconds=chosen_likes[key]),
            }

    _insert(Like.__table__, like_rows(), lambda n: report("likes", n, len(chosen_likes)))
    likes, reposts = len(chosen_likes), len(chosen_reposts)
    chosen_likes.clear()
    chosen_reposts.clear()

    pairs: set[tuple[int, int]] = set()
    attempts = 0
    by_popularity = _popularity_order(user_ids, follow_shape, seed_value)
    while len(pairs) < follows and attempts < follows * 3 and users > 1:
        attempts += 1
        follower = rng.choice(user_ids)
        followed = rng.choices(by_popularity, cum_weights=weights)[0]
        if follower != followed:
            pairs.add((follower, followed))
    ordered = sorted(pairs)
    del pairs
    block_pairs, mute_pairs = _boundaries(
        random.Random(f"boundaries-{seed_value}"), by_popularity, weights, blocks, mutes
    )
    if block_pairs:
        ended = block_pairs | {(b, a) for a, b in block_pairs}
        ordered = [pair for pair in ordered if pair not in ended]
    _insert(
        followers,
        ({"follower_id": a, "followed_id": b} for a, b in ordered),
        lambda n: report("follows", n, len(ordered)),
    )
    _insert(
        Block.__table__,
        ({"blocker_id": a, "blocked_id": b, "timestamp": now} for a, b in sorted(block_pairs)),
        lambda n: report("blocks", n, len(block_pairs)),
    )
    _insert(
        Mute.__table__,
        ({"muter_id": a, "muted_id": b, "timestamp": now} for a, b in sorted(mute_pairs)),
        lambda n: report("mutes", n, len(mute_pairs)),
    )

    images = _add_media(random.Random(f"media-{seed_value}"), media, first_post_id, authors, is_reply, first_id)
    report("media", images, images)

    end_id, end_post_id = first_id + users, first_repost_id + reposts
    for recount in (_recount_posts, _recount_follows):
        recount(first_id, end_id)
        report("counters", 1, 3)
    _recount_conversations(first_post_id, end_post_id)
    report("counters", 1, 3)
    # The progress of this stage counts the follows' entries, and one for each statement adding the others'.
    activity_steps = len(ordered) + len(POST_ACTIVITY)
    for kind in POST_ACTIVITY:
        _add_post_activity(kind, first_post_id, end_post_id)
        report("activity", 1, activity_steps)
    _insert(
        Activity.__table__,
        _follow_activity(talk, ordered, now),
        lambda n: report("activity", n, activity_steps),
    )
    _refresh_statistics()
    return {
        "users": users,
        "posts": posts,
        "replies": replies,
        "reposts": reposts,
        "likes": likes,
        "tags": tags,
        "mentions": mentions,
        "follows": len(ordered),
        "blocks": len(block_pairs),
        "mutes": len(mute_pairs),
        "media": images,
    }


FOLLOW_SHAPES = ("writers", "zipf")


def _popularity_order(user_ids: list[int], follow_shape: str, seed_value: int) -> list[int]:
    """Return the users from most to least followed (see `seed`'s `follow_shape`)."""
    if follow_shape == "writers":
        return user_ids  # the writers' own Zipf ranking
    if follow_shape != "zipf":
        raise ValueError(f"follow_shape must be one of {', '.join(FOLLOW_SHAPES)}, got {follow_shape!r}")
    order = list(user_ids)
    random.Random(f"popularity-{seed_value}").shuffle(order)
    return order


def _add_media(
    rng: random.Random, wanted: int, first_post_id: int, authors: array, is_reply: bytearray, first_user_id: int
) -> int:
    """Give `wanted` of the seeded posts that are not replies one to four images; return how many images.

    The pictures are drawn and processed once; each image gets its own key and its own files, as
    an upload would, so that serving, deleting and pruning them work as for real ones.
    """
    candidates = [index for index in range(len(authors)) if not is_reply[index]]
    chosen = sorted(rng.sample(candidates, min(wanted, len(candidates))))
    if not chosen:
        return 0
    service = media_service.service()
    pictures = [_demo_picture(rng, service) for _ in range(DEMO_PICTURES)]
    rows, counts = [], []
    for index in chosen:
        count = 1
        while count < 4 and rng.random() < ANOTHER_IMAGE:
            count += 1
        counts.append({"post_id": first_post_id + index, "count": count})
        for position in range(count):
            picture, alt = rng.choice(pictures)
            key = new_key()
            extension = "jpg" if picture.content_type == "image/jpeg" else "png"
            for variant, data in (("original", picture.original), ("preview", picture.preview)):
                service.storage.save(file_name(key, variant, extension), data, picture.content_type)
            rows.append(
                {
                    "key": key,
                    "user_id": first_user_id + authors[index],
                    "post_id": first_post_id + index,
                    "position": position,
                    "alt_text": alt,
                    "content_type": picture.content_type,
                    "width": picture.width,
                    "height": picture.height,
                    "size": len(picture.original),
                    "preview_size": len(picture.preview),
                    "created_at": utcnow(),
                }
            )
    _insert(Media.__table__, rows, lambda n: None)
    posts = Post.__table__
    db.session.execute(
        sa.update(posts).where(posts.c.id == sa.bindparam("post_id")).values(media_count=sa.bindparam("count")),
        counts,
    )
    db.session.commit()
    return len(rows)


def _demo_picture(rng: random.Random, service: media_service.MediaService) -> tuple:
    """Return a processed demo picture (a sky, a sun and hills in random colours) and its alt text."""
    width, height = 960, 640
    sky = tuple(rng.randrange(90, 230) for _ in range(3))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    sun = (rng.randrange(width), rng.randrange(height // 2))
    draw.ellipse((sun[0] - 60, sun[1] - 60, sun[0] + 60, sun[1] + 60), fill=(250, 210, 90))
    for layer in range(3):
        top = height // 2 + layer * 70
        hills = (
            [(0, height)] + [(x, top + rng.randrange(-60, 60)) for x in range(0, width + 1, 120)] + [(width, height)]
        )
        draw.polygon(hills, fill=tuple(rng.randrange(20, 140) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    processed = process(buffer.getvalue(), service.max_bytes, service.max_pixels, service.preview_size)
    return processed, "A drawing of a sun above rolling hills"


def _boundaries(
    rng: random.Random, user_ids: list[int], weights: list[float], blocks: int, mutes: int
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Draw `blocks` (blocker, blocked) and `mutes` (muter, muted) pairs of distinct users.

    Anyone blocks or mutes; the popular are blocked and muted more (the follows' Zipf curve).
    Fewer pairs come back only when the users are too few to make that many.
    """

    def pairs(wanted: int) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        attempts = 0
        while len(found) < wanted and attempts < wanted * 5 and len(user_ids) > 1:
            attempts += 1
            one = rng.choice(user_ids)
            other = rng.choices(user_ids, cum_weights=weights)[0]
            if one != other:
                found.add((one, other))
        return found

    return pairs(blocks), pairs(mutes)


def _next_id(model: type) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _delay(rng: random.Random, mean: float, age: int) -> int:
    """Return how many seconds after a post of age `age` (at least 1) something happened, at most `age`."""
    delay = 1 + int(rng.expovariate(1 / mean))
    return delay if delay <= age else rng.randint(1, age)


def _pick(rng: random.Random, cumulative: array, end: int) -> int:
    """Return the index of a post among the first `end`, drawn by popularity."""
    return min(bisect_right(cumulative, rng.random() * cumulative[end - 1], 0, end), end - 1)


def _pick_parent(rng: random.Random, popularity: array, ages: array, index: int) -> int | None:
    """Return the earlier post that post `index` answers: any written before "now" (age 0 is "now")."""
    for _ in range(100):
        parent = _pick(rng, popularity, index)
        if ages[parent] > 0:
            return parent
    return None


def _converse(
    rng: random.Random,
    body: str,
    author: int,
    parent: int | None,
    authors: array,
    usernames: list[str],
    weights: list[float],
    tag_weights: list[float],
) -> str:
    """Return `body` as a reply to `parent` ("@author ..."), with a mention and hashtags for some posts."""
    start = "" if parent is None else f"@{usernames[authors[parent]]} "
    end = ""
    if rng.random() < MENTION_SHARE:
        named = rng.choices(range(len(usernames)), cum_weights=weights)[0]
        if named != author:
            end += f" @{usernames[named]}"
    if rng.random() < TAG_SHARE:
        for tag in rng.choices(TAGS, cum_weights=tag_weights, k=1 if rng.random() < 0.75 else 2):
            end += " #" + (tag.capitalize() if rng.random() < 0.2 else tag)
    return start + body[: MAX_BODY - len(start) - len(end)] + end


def _reactions(
    rng: random.Random, count: int, users: int, popularity: array, authors: array, ages: array
) -> dict[int, int]:
    """Draw `count` distinct (user, post) pairs, posts by popularity, nobody reacting to their own post.

    Returns {user index * posts + post index: the reaction's age}, the reaction a while after the post.
    """
    posts = len(authors)
    chosen: dict[int, int] = {}
    attempts = 0
    while len(chosen) < count and attempts < count * 3 and posts and users > 1:
        attempts += 1
        post = _pick(rng, popularity, posts)
        user = rng.randrange(users)
        key = user * posts + post
        if user == authors[post] or ages[post] == 0 or key in chosen:
            continue
        chosen[key] = ages[post] - _delay(rng, REACTION_DELAY, ages[post])
    return chosen


def _follow_activity(rng: random.Random, pairs: list[tuple[int, int]], now: datetime) -> Iterator[dict]:
    """The "X followed you" entries of the seeded follows, at a time in the last year."""
    for follower, followed in pairs:
        yield {
            "user_id": followed,
            "actor_id": follower,
            "kind": ActivityKind.FOLLOW.value,
            "post_id": None,
            "timestamp": now - timedelta(seconds=rng.randrange(YEAR)),
        }


def _advance_sequences(*models: type) -> None:
    """Move PostgreSQL's id sequences past the explicit ids (MariaDB and SQLite move on by themselves)."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        db.session.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), (SELECT MAX(id) FROM \"{table}\"))"),
            {"table": f'"{table}"'},
        )
    db.session.commit()


def _recount_posts(first_id: int, end_id: int) -> None:
    """Set the post counters of the seeded users, reposts included (bulk inserts bypass the ORM events)."""
    users = User.__table__
    count = sa.select(sa.func.count()).where(Post.user_id == users.c.id).scalar_subquery()
    db.session.execute(sa.update(users).where(users.c.id >= first_id, users.c.id < end_id).values(post_count=count))
    db.session.commit()


def _recount_follows(first_id: int, end_id: int) -> None:
    """Set the follow counters of the seeded users (bulk inserts bypass follow())."""
    users = User.__table__
    follower_count = sa.select(sa.func.count()).where(followers.c.followed_id == users.c.id).scalar_subquery()
    following_count = sa.select(sa.func.count()).where(followers.c.follower_id == users.c.id).scalar_subquery()
    db.session.execute(
        sa.update(users)
        .where(users.c.id >= first_id, users.c.id < end_id)
        .values(follower_count=follower_count, following_count=following_count)
    )
    db.session.commit()


def _recount_conversations(first_id: int, end_id: int) -> None:
    """Set the reply, like and repost counters of the seeded posts by counting their rows.

    Only the posts that have something to count are written (the others were inserted with 0): on
    PostgreSQL every updated row is a new row version, its search vector recomputed.
    """
    posts, likes = Post.__table__, Like.__table__
    other = posts.alias("other")
    seeded = other.c.id.between(first_id, end_id - 1)
    counted = sa.union(
        sa.select(other.c.in_reply_to_id).where(seeded, other.c.in_reply_to_id.is_not(None)),
        sa.select(other.c.repost_of_id).where(seeded, other.c.repost_of_id.is_not(None)),
        sa.select(likes.c.post_id).where(likes.c.post_id.between(first_id, end_id - 1)),
    )

    def count(table: sa.Table | sa.Alias, column: str) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).select_from(table).where(table.c[column] == posts.c.id).scalar_subquery()

    db.session.execute(
        sa.update(posts)
        .where(posts.c.id.between(first_id, end_id - 1), posts.c.id.in_(counted))
        .values(
            replies_count=count(other, "in_reply_to_id"),
            likes_count=count(likes, "post_id"),
            reposts_count=count(other, "repost_of_id"),
        )
    )
    db.session.commit()


# The activity kinds that follow from seeded posts and likes (follows' entries are generated with them).
POST_ACTIVITY = (ActivityKind.REPLY, ActivityKind.MENTION, ActivityKind.LIKE, ActivityKind.REPOST)


def _add_post_activity(kind: ActivityKind, first_id: int, end_id: int) -> None:
    """Add the activity entries of one kind that the app writes for the seeded posts, in one INSERT ... SELECT.

    As in app.conversations: a reply tells the author of the post it answers (post_id: the reply), a
    mention tells the named user unless it is the post's author or the answered author (told of
    the reply already), a like and a repost tell the author of the liked or reposted post (post_id:
    that post); nobody is told of their own doing. Entries are added oldest first, so ids follow time.
    """
    activity, posts, likes, mentions = Activity.__table__, Post.__table__, Like.__table__, Mention.__table__
    post, parent = posts.alias("post"), posts.alias("parent")
    seeded = post.c.id.between(first_id, end_id - 1)
    label = sa.literal(kind.value, sa.String(16)).label("kind")
    if kind == ActivityKind.REPLY:
        select = (
            sa.select(parent.c.user_id, post.c.user_id, label, post.c.id, post.c.timestamp)
            .select_from(post)
            .join(parent, parent.c.id == post.c.in_reply_to_id)
            .where(seeded, parent.c.user_id != post.c.user_id)
            .order_by(post.c.timestamp, post.c.id)
        )
    elif kind == ActivityKind.MENTION:
        select = (
            sa.select(mentions.c.user_id, post.c.user_id, label, post.c.id, post.c.timestamp)
            .select_from(mentions)
            .join(post, post.c.id == mentions.c.post_id)
            .outerjoin(parent, parent.c.id == post.c.in_reply_to_id)
            .where(
                seeded,
                mentions.c.user_id != post.c.user_id,
                sa.or_(parent.c.user_id.is_(None), mentions.c.user_id != parent.c.user_id),
            )
            .order_by(post.c.timestamp, post.c.id, mentions.c.user_id)
        )
    elif kind == ActivityKind.LIKE:
        select = (
            sa.select(post.c.user_id, likes.c.user_id, label, post.c.id, likes.c.timestamp)
            .select_from(likes)
            .join(post, post.c.id == likes.c.post_id)
            .where(seeded, likes.c.user_id != post.c.user_id)
            .order_by(likes.c.timestamp, likes.c.post_id, likes.c.user_id)
        )
    else:
        select = (
            sa.select(parent.c.user_id, post.c.user_id, label, parent.c.id, post.c.timestamp)
            .select_from(post)
            .join(parent, parent.c.id == post.c.repost_of_id)
            .where(seeded, parent.c.user_id != post.c.user_id)
            .order_by(post.c.timestamp, post.c.id)
        )
    columns = ["user_id", "actor_id", "kind", "post_id", "timestamp"]
    db.session.execute(sa.insert(activity).from_select(columns, select))
    db.session.commit()


def _refresh_statistics() -> None:
    """Give the planner statistics for the new rows, as after any bulk load.

    Without them PostgreSQL guessed that a user follows thousands of users and scanned the whole
    user table for every timeline (12 ms instead of 0.6 ms) until autovacuum got round to the
    tables; VACUUM also fills the visibility map that index-only scans need. SQLite's planner
    picks the intended indexes without statistics, so it is left as it is.
    """
    dialect = db.engine.dialect.name
    tables = [
        User.__table__.name,
        Post.__table__.name,
        followers.name,
        Like.__table__.name,
        PostTag.__table__.name,
        Mention.__table__.name,
        Activity.__table__.name,
    ]
    if dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
    elif dialect in {"mysql", "mariadb"}:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE TABLE " + ", ".join(f"`{table}`" for table in tables))


def _insert(table: sa.Table, rows: Iterable[dict], done: Callable[[int], None]) -> None:
    """Insert rows in large batches, committing each batch."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _flush(table, batch, done)
            batch = []
    _flush(table, batch, done)


def _flush(table: sa.Table, batch: list[dict], done: Callable[[int], None]) -> None:
    if not batch:
        return
    db.session.execute(sa.insert(table), batch)
    db.session.commit()
    done(len(batch))


def _count_option(name: str, help_text: str):
    return click.option(f"--{name}", default=None, type=click.IntRange(min=0), help=help_text)


@click.command("seed")
@click.option("--users", default=100, show_default=True, help="Users to create.")
@click.option("--posts", default=2000, show_default=True, help="Posts to create, replies included.")
@click.option("--follows", default=None, type=int, help="Follow relations (default: 10 per user).")
@_count_option("replies", f"How many of the posts are replies (default: {REPLY_SHARE:.0%} of --posts).")
@_count_option("likes", f"Likes (default: {LIKES_PER_POST:g} per post).")
@_count_option("reposts", f"Reposts, added to the posts (default: {REPOST_SHARE:.0%} of --posts).")
@click.option("--blocks", default=0, show_default=True, type=click.IntRange(min=0), help="Blocks between users.")
@click.option("--mutes", default=0, show_default=True, type=click.IntRange(min=0), help="Mutes between users.")
@click.option("--media", default=0, show_default=True, type=click.IntRange(min=0), help="Posts that carry images.")
@click.option(
    "--follow-shape",
    type=click.Choice(FOLLOW_SHAPES),
    default="writers",
    show_default=True,
    help="Whom people follow: the most prolific writers (writers), or popular accounts whatever they write (zipf).",
)
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed: the same seed, the same data.")
def seed_command(
    users: int,
    posts: int,
    follows: int | None,
    replies: int | None,
    likes: int | None,
    reposts: int | None,
    blocks: int,
    mutes: int,
    media: int,
    follow_shape: str,
    seed_value: int,
):
    """Fill the database with realistic demo data (password: microblog-demo)."""
    if users < 1 or posts < 0 or (follows or 0) < 0:
        raise click.BadParameter("counts must be positive")
    if replies is not None and replies > max(posts - 1, 0):
        raise click.BadParameter("--replies must be smaller than --posts (the first post answers nobody)")
    follows = users * 10 if follows is None else follows
    started = time.perf_counter()
    bars = {}

    def progress(stage: str, count: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[stage] = click.progressbar(length=max(total, 1), label=f"{stage:<8}")
            bars[stage].render_progress()
        bars[stage].update(count)

    try:
        created = seed(
            users,
            posts,
            follows,
            seed_value,
            progress,
            replies=replies,
            likes=likes,
            reposts=reposts,
            blocks=blocks,
            mutes=mutes,
            media=media,
            follow_shape=follow_shape,
        )
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(f"seed {seed_value} was used on this database already; pick another --seed") from exc
    for bar in bars.values():
        bar.render_finish()
    elapsed = time.perf_counter() - started
    boundaries = f" ({created['blocks']} blocks, {created['mutes']} mutes)" if blocks or mutes else ""
    images = f", {created['media']} images" if media else ""
    click.echo(
        f"Created {created['users']} users, {created['posts']} posts ({created['replies']} replies, "
        f"{created['tags']} hashtags, {created['mentions']} mentions), {created['likes']} likes, "
        f"{created['reposts']} reposts and {created['follows']} follows{boundaries}{images} in {elapsed:.1f} s. "
        f"Every seeded user's password is {DEMO_PASSWORD!r}."
    )
