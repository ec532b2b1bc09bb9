"""The per-process cache of rendered fragments."""

from markupsafe import Markup

from app.extensions import db
from app.models import Media
from app.web.fragments import FragmentCache
from tests.support.apps import make_app
from tests.support.factories import PostFactory, UserFactory


class Renderer:
    """Counts its calls, so a test can tell a hit from a miss."""

    def __init__(self):
        self.calls = 0

    def __call__(self, name: str) -> str:
        self.calls += 1
        return f"<b>{name}</b>"


def test_a_miss_renders_and_a_hit_does_not():
    cache, render = FragmentCache(10), Renderer()
    first = cache.get_or_render(("post", 1, "en"), render, "one")
    again = cache.get_or_render(("post", 1, "en"), render, "changed")
    assert first == again == Markup("<b>one</b>")
    assert isinstance(first, Markup)
    assert render.calls == 1


def test_keys_that_differ_in_any_part_are_separate_entries():
    cache, render = FragmentCache(10), Renderer()
    cache.get_or_render(("post", 1, "en"), render, "english")
    assert cache.get_or_render(("post", 1, "es"), render, "spanish") == Markup("<b>spanish</b>")
    assert render.calls == 2


def test_least_recently_used_entries_go_first():
    cache, render = FragmentCache(2), Renderer()
    cache.get_or_render("a", render, "a")
    cache.get_or_render("b", render, "b")
    cache.get_or_render("a", render, "a")  # a is now the most recently used
    cache.get_or_render("c", render, "c")  # evicts b
    assert len(cache) == 2
    cache.get_or_render("a", render, "a")
    assert render.calls == 3
    cache.get_or_render("b", render, "b")
    assert render.calls == 4


def test_size_zero_renders_every_time():
    cache, render = FragmentCache(0), Renderer()
    cache.get_or_render("a", render, "a")
    cache.get_or_render("a", render, "a")
    assert render.calls == 2 and len(cache) == 0


def test_the_app_has_a_cache_sized_by_config(app):
    assert isinstance(app.extensions["fragment_cache"], FragmentCache)
    assert app.extensions["fragment_cache"].size == app.config["FRAGMENT_CACHE_SIZE"] > 0


def test_a_post_card_key_changes_with_every_field_the_card_shows(app):
    author = UserFactory(username="ana", email="ana@example.com")
    post = PostFactory(author=author, body="hola")
    base = post.card_key("en", True, "")
    changes = {
        "another post": PostFactory(author=author, body="hola").card_key("en", True, ""),
        "the reader's language": post.card_key("es", True, ""),
        "the translate link": post.card_key("en", False, ""),
        "the mount path": post.card_key("en", True, "/blog"),
    }
    author.username = "ana2"
    changes["the author's name"] = post.card_key("en", True, "")
    author.username = "ana"
    for what, key in changes.items():
        assert key != base, f"changing {what} must change the key"
    assert post.card_key("en", True, "") == base


def test_a_post_card_key_names_the_posts_images(app):
    author = UserFactory(username="ana")
    post = PostFactory(author=author, body="hola")
    base = post.card_key("en", True, "")
    post.images = [Media(key="first-image-key-0001"), Media(key="second-image-key-002")]
    with_images = post.card_key("en", True, "")
    assert with_images != base
    post.images = post.images[:1]
    assert post.card_key("en", True, "") not in (base, with_images)


def test_a_post_card_key_ignores_the_email_the_avatar_is_not_made_from(app):
    author = UserFactory(username="ana", email="ana@example.com")
    post = PostFactory(author=author, body="hola")
    base = post.card_key("en", True, "")
    author.email = "other@example.com"
    assert post.card_key("en", True, "") == base
    assert "ana@example.com" not in repr(base)


def test_with_gravatar_a_post_card_key_changes_with_the_authors_email():
    gravatar_app = make_app(AVATAR_PROVIDER="gravatar")
    with gravatar_app.app_context():
        author = UserFactory(username="ana", email="ana@example.com")
        post = PostFactory(author=author, body="hola")
        base = post.card_key("en", True, "")
        author.email = "other@example.com"
        assert post.card_key("en", True, "") != base
        db.session.remove()
