"""One search contract, run against every backend through the public surface.

Backends: the database on SQLite (FTS5), PostgreSQL and MariaDB; Elasticsearch
against the fake node, and against a real cluster when TEST_ELASTICSEARCH_URL
is set. Posts are written and deleted through the ORM (and the web client for
outages); results come from `Post.search` and `Post.reindex`.
"""

import time

import pytest
import sqlalchemy as sa

from app import accounts, conversations
from app import search as search_service
from app.extensions import db
from app.models import Post, SearchPending, User
from tests.support.apps import make_app
from tests.support.auth import log_in
from tests.support.factories import DEFAULT_PASSWORD, PostFactory, UserFactory
from tests.support.search import close_backend


@pytest.fixture
def search(search_setup):
    return search_setup


def posts(*bodies: str) -> list[Post]:
    """Create one post per body, oldest first."""
    return [PostFactory(body=body) for body in bodies]


def found(expression: str, per_page: int = 50) -> list[str]:
    """Return the bodies of the first page of matches, best first."""
    results, total = Post.search(expression, 1, per_page)
    assert total == len(results)
    return [post.body for post in results]


def found_set(expression: str) -> set[str]:
    """Return the bodies of all matches, when their order is not the point."""
    return set(found(expression))


def test_one_word_is_found(search):
    posts("the quick brown fox", "lazy dogs sleep all day")
    search.settle()
    assert found("quick") == ["the quick brown fox"]
    assert found("nothing") == []


def test_a_word_matches_as_prefix_of_a_word(search):
    posts("hello world", "a shell script", "goodbye world")
    search.settle()
    assert found("hel") == ["hello world"]
    assert found_set("wor") == {"goodbye world", "hello world"}


def test_case_is_ignored(search):
    posts("Python rocks")
    search.settle()
    assert found("PYTHON") == ["Python rocks"]
    assert found("python") == ["Python rocks"]


def test_quoted_phrase_matches_exactly(search):
    posts("the quick brown fox", "the brown quick fox", "brown things and a fox")
    search.settle()
    assert found('"brown fox"') == ["the quick brown fox"]
    assert found('"quick brown fox"') == ["the quick brown fox"]


def test_accents_are_ignored_both_ways(search):
    posts("una canción bonita", "otra cancion sin acento", "nada que ver")
    search.settle()
    both = {"otra cancion sin acento", "una canción bonita"}
    assert found_set("cancion") == both
    assert found_set("canción") == both
    assert found_set("CANCIÓN") == both
    assert found('"cancion bonita"') == ["una canción bonita"]


def test_chinese_words_are_found_inside_a_sentence(search):
    posts("我喜欢学中文", "我喜欢咖啡", "chinese in english")
    search.settle()
    assert found("中文") == ["我喜欢学中文"]
    assert found("文中") == []
    assert found_set("我喜欢") == {"我喜欢咖啡", "我喜欢学中文"}


def test_several_words_must_all_match(search):
    posts("the quick brown fox", "a quick cat", "a lazy fox", "fox quick jumps")
    search.settle()
    assert found_set("quick fox") == {"fox quick jumps", "the quick brown fox"}
    assert found("quick fox brown") == ["the quick brown fox"]
    assert found('quick "brown fox"') == ["the quick brown fox"]


def test_more_occurrences_rank_higher(search):
    # The best match is the oldest post, so newest-first ordering alone cannot pass this.
    posts("apple apple apple", "apple pie with cream", "bananas are yellow", "cherries are red")
    search.settle()
    assert found("apple") == ["apple apple apple", "apple pie with cream"]


def test_pages_hold_every_match_once_and_total_is_exact(search):
    created = posts(*(f"paging sample {n}" for n in range(7)), "something else")
    search.settle()
    pages = [Post.search("paging", page, 3) for page in (1, 2, 3, 4)]
    assert [total for _, total in pages] == [7, 7, 7, 7]
    assert [len(results) for results, _ in pages] == [3, 3, 1, 0]
    ids = [post.id for results, _ in pages for post in results]
    # Equal scores: newest first.
    assert ids == sorted((post.id for post in created[:7]), reverse=True)


def test_deleted_posts_never_appear(search):
    kept, deleted = posts("visible marmalade", "deleted marmalade")
    db.session.delete(deleted)
    db.session.commit()
    search.settle()
    assert found("marmalade") == ["visible marmalade"]
    assert Post.reindex() == 1
    search.settle()
    assert found("marmalade") == ["visible marmalade"]


def test_edited_post_is_reindexed(search):
    (post,) = posts("original wording here")
    post.body = "replacement phrasing now"
    db.session.commit()
    search.settle()
    assert found("original") == []
    assert found("replacement") == ["replacement phrasing now"]


def test_reindex_rebuilds_from_the_database(search):
    posts("rebuild alpha", "rebuild beta", "other gamma")
    assert Post.reindex() == 3
    search.settle()
    assert found_set("rebuild") == {"rebuild beta", "rebuild alpha"}
    assert found("gamma") == ["other gamma"]


@pytest.mark.parametrize("expression", ["", "   ", "\t\n", "!!! ... ???", '""', '" "', "-", "*", "()", "\x00"])
def test_empty_query_finds_nothing(search, expression):
    posts("something to find")
    search.settle()
    assert Post.search(expression, 1, 10) == ([], 0)


WEIRD = [
    '"unbalanced quote',
    'quote" in the middle',
    "quick*",
    "*quick",
    "-quick",
    "+quick",
    "body:quick",
    "quick OR 1=1",
    "' OR 1=1 --",
    "'; DROP TABLE post; --",
    "a AND",
    "AND OR NOT",
    "NEAR(quick fox)",
    "quick^2 fox~",
    "(quick",
    "[quick TO fox]",
    "{quick}",
    "/qu.ck/",
    "quick && fox || !dog",
    "100% _under_score \\ back\\slash",
    "x" * 200,
    "quick " + "y" * 500,
    "qu\x00ick",
    "\U0001f600 emoji \U0001f680",
    "\u200b\u200d zero width",
]


@pytest.mark.parametrize("expression", WEIRD)
def test_weird_input_never_raises(search, expression):
    posts("the quick brown fox")
    search.settle()
    results, total = Post.search(expression, 1, 10)
    assert total == len(results)


def test_null_byte_is_removed(search):
    posts("the quick brown fox")
    search.settle()
    assert found("qu\x00ick") == ["the quick brown fox"]


def test_unbalanced_quote_searches_the_words(search):
    posts("the quick brown fox")
    search.settle()
    assert found('"quick') == ["the quick brown fox"]


# --- outages (a backend outside the database) ------------------------------------------------------------------------


@pytest.fixture
def outage_app(fake_elasticsearch, monkeypatch):
    """An app on SQLite whose search backend is the fake Elasticsearch node."""
    app = make_app(ELASTICSEARCH_URL=fake_elasticsearch.url)
    with app.app_context():
        yield app
        db.session.remove()
    close_backend(app)


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchPending))


def publish(client, body: str, limit: float) -> None:
    """Post through the web form; assert it succeeded within `limit` seconds."""
    started = time.monotonic()
    response = client.post("/index", data={"post": body})
    assert response.status_code == 302
    assert time.monotonic() - started < limit


@pytest.mark.parametrize("mode", ["503", "close", "hang"])
def test_outage_never_fails_a_write_and_the_index_converges(outage_app, fake_elasticsearch, monkeypatch, mode):
    user = UserFactory(username="writer")
    client = outage_app.test_client()
    log_in(client, "writer")
    publish(client, "indexed before outage", limit=5)
    doomed_id = db.session.scalar(sa.select(Post.id).where(Post.body == "indexed before outage"))
    search_service.get_backend().refresh("post")
    assert found("outage") == ["indexed before outage"]

    fake_elasticsearch.hang_seconds = 10
    fake_elasticsearch.fail(mode)
    # One request may wait for the client's timeout (about 2 s); the next ones must not wait at all.
    publish(client, "written during outage", limit=3.5)
    publish(client, "also written during outage", limit=1)
    started = time.monotonic()
    response = client.post(f"/post/{doomed_id}/delete")
    assert response.status_code == 302
    assert time.monotonic() - started < 1
    db.session.expire_all()
    assert db.session.get(Post, doomed_id) is None
    assert set(db.session.scalars(user.posts.select().with_only_columns(Post.body))) == {
        "written during outage",
        "also written during outage",
    }
    assert pending() == 3

    fake_elasticsearch.recover()
    # Past the rest period the next write reaches the cluster and brings the pending changes with it.
    monkeypatch.setattr("app.search.service.RETRY_AFTER_SECONDS", 0)
    publish(client, "after the outage", limit=5)
    assert pending() == 0
    search_service.get_backend().refresh("post")
    assert found_set("outage") == {"after the outage", "also written during outage", "written during outage"}
    assert set(fake_elasticsearch.documents("post")) == {str(i) for i in db.session.scalars(sa.select(Post.id))}


def test_replay_pending_catches_up_without_a_new_write(outage_app, fake_elasticsearch, monkeypatch):
    UserFactory(username="writer")
    client = outage_app.test_client()
    log_in(client, "writer")
    fake_elasticsearch.fail("503")
    publish(client, "queued while down", limit=3)
    assert pending() == 1
    assert search_service.replay_pending() == 0
    assert pending() == 1

    fake_elasticsearch.recover()
    assert search_service.replay_pending() == 1
    assert pending() == 0
    search_service.get_backend().refresh("post")
    assert found("queued") == ["queued while down"]


def test_reindex_after_outage_clears_pending(outage_app, fake_elasticsearch):
    UserFactory(username="writer")
    client = outage_app.test_client()
    log_in(client, "writer")
    fake_elasticsearch.fail("close")
    publish(client, "lost without reindex", limit=3)
    assert pending() == 1
    fake_elasticsearch.recover()
    assert Post.reindex() == 1
    assert pending() == 0
    search_service.get_backend().refresh("post")
    assert found("lost") == ["lost without reindex"]


def test_search_during_an_outage_answers_503_with_a_message(outage_app, fake_elasticsearch):
    UserFactory(username="reader")
    client = outage_app.test_client()
    log_in(client, "reader")
    fake_elasticsearch.fail("503")
    page = client.get("/search?q=anything")
    assert page.status_code == 503
    assert "Search is unavailable right now" in page.text
    assert "Traceback" not in page.text
    token = client.post("/api/tokens", auth=("reader", DEFAULT_PASSWORD)).get_json()["token"]
    answer = client.get("/api/search?q=anything", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "Service Unavailable"
    fake_elasticsearch.recover()


def test_deleting_an_account_during_an_outage_takes_its_posts_out_of_the_index_later(
    outage_app, fake_elasticsearch, monkeypatch
):
    leaving, staying = UserFactory(username="leaving"), UserFactory(username="staying")
    with outage_app.test_request_context():
        for author, body in ((leaving, "farewell lighthouse"), (leaving, "second lighthouse"), (staying, "lighthouse")):
            conversations.publish(author, body, "en")
        db.session.commit()
        search_service.get_backend().refresh("post")
        assert found_set("lighthouse") == {"farewell lighthouse", "second lighthouse", "lighthouse"}

        fake_elasticsearch.fail("503")
        accounts.delete_account(db.session.get(User, leaving.id))
        db.session.commit()
        assert pending() == 2  # recorded in the deletion's own transaction

        fake_elasticsearch.recover()
        monkeypatch.setattr("app.search.service.RETRY_AFTER_SECONDS", 0)
        assert search_service.replay_pending() == 2
        search_service.get_backend().refresh("post")
        assert found_set("lighthouse") == {"lighthouse"}
