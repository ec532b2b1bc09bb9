"""`flask seed`: realistic demo data, generated deterministically and inserted in bulk.

Users follow a Zipf-like popularity curve (a few write and are followed a
lot), posts spread over the last year in English, Spanish and Chinese, and
every seeded account shares one password so no hash is computed per user.
"""

import random
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import click
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Post, User, followers, utcnow
from app.search.text import normalize_text

DEMO_PASSWORD = "microblog-demo"
# One word appears in about 1% of posts, so benchmarks have a known-selectivity search.
RARE_WORD = "lighthouse"
RARE_WORD_SHARE = 0.01
BATCH = 10_000

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
    body = separator.join(picked)[:140]
    return body, code


def seed(
    users: int,
    posts: int,
    follows: int,
    seed_value: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Insert users, posts and follows; return how many of each were created."""
    rng = random.Random(seed_value)
    report = progress or (lambda stage, n: None)
    first_id = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    prefix = f"s{seed_value}"
    password_hash = generate_password_hash(DEMO_PASSWORD)
    now = utcnow()

    def user_rows() -> Iterator[dict]:
        for i in range(users):
            username = f"{rng.choice(ENGLISH)}{i}_{prefix}"
            yield {
                "username": username,
                "username_lower": username.lower(),
                "email": f"{username}@example.com",
                "password_hash": password_hash,
                "about_me": make_body(rng)[0],
                "last_seen": now - timedelta(minutes=rng.randrange(60 * 24 * 30)),
            }

    _insert(User.__table__, user_rows(), lambda n: report("users", n))
    user_ids = list(range(first_id, first_id + users))
    weights = zipf_weights(users)

    def post_rows() -> Iterator[dict]:
        authors = rng.choices(user_ids, cum_weights=weights, k=posts)
        for author in authors:
            body, language = make_body(rng)
            yield {
                "body": body,
                "search_text": normalize_text(body),
                "language": language,
                "user_id": author,
                "timestamp": now - timedelta(seconds=rng.randrange(365 * 24 * 3600)),
            }

    _insert(Post.__table__, post_rows(), lambda n: report("posts", n))
    _recount_posts(first_id, first_id + users)

    pairs: set[tuple[int, int]] = set()
    attempts = 0
    while len(pairs) < follows and attempts < follows * 3 and users > 1:
        attempts += 1
        follower = rng.choice(user_ids)
        followed = rng.choices(user_ids, cum_weights=weights)[0]
        if follower != followed:
            pairs.add((follower, followed))
    _insert(
        followers,
        ({"follower_id": a, "followed_id": b} for a, b in sorted(pairs)),
        lambda n: report("follows", n),
    )
    _recount_follows(first_id, first_id + users)
    _refresh_statistics()
    return {"users": users, "posts": posts, "follows": len(pairs)}


def _recount_posts(first_id: int, end_id: int) -> None:
    """Set the post counters of the seeded users (bulk inserts bypass the ORM events that keep them)."""
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


def _refresh_statistics() -> None:
    """Give the planner statistics for the new rows, as after any bulk load.

    Without them PostgreSQL guessed that a user follows thousands of users and scanned the whole
    user table for every timeline (12 ms instead of 0.6 ms) until autovacuum got round to the
    tables; VACUUM also fills the visibility map that index-only scans need. SQLite's planner
    picks the intended indexes without statistics, so it is left as it is.
    """
    dialect = db.engine.dialect.name
    tables = [User.__table__.name, Post.__table__.name, followers.name]
    if dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
    elif dialect in {"mysql", "mariadb"}:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE TABLE " + ", ".join(f"`{table}`" for table in tables))


def _insert(table: sa.Table, rows: Iterator[dict], done: Callable[[int], None]) -> None:
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


@click.command("seed")
@click.option("--users", default=100, show_default=True, help="Users to create.")
@click.option("--posts", default=2000, show_default=True, help="Posts to create.")
@click.option("--follows", default=None, type=int, help="Follow relations (default: 10 per user).")
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed: the same seed, the same data.")
def seed_command(users: int, posts: int, follows: int | None, seed_value: int):
    """Fill the database with realistic demo data (password: microblog-demo)."""
    if users < 1 or posts < 0 or (follows or 0) < 0:
        raise click.BadParameter("counts must be positive")
    follows = users * 10 if follows is None else follows
    started = time.perf_counter()
    bars = {}

    def progress(stage: str, count: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            total = {"users": users, "posts": posts, "follows": follows}[stage]
            bars[stage] = click.progressbar(length=total, label=f"{stage:<8}")
            bars[stage].render_progress()
        bars[stage].update(count)

    try:
        created = seed(users, posts, follows, seed_value, progress)
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(f"seed {seed_value} was used on this database already; pick another --seed") from exc
    for bar in bars.values():
        bar.render_finish()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Created {created['users']} users, {created['posts']} posts and {created['follows']} follows "
        f"in {elapsed:.1f} s. Every seeded user's password is {DEMO_PASSWORD!r}."
    )
