"""The home timeline, explore and deleting posts."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from app.models.types import utcnow
from tests.support.apps import count_rows
from tests.support.factories import PostFactory, UserFactory
from tests.support.pages import csrf_token_from, is_site_layout, login_redirect_next

ENGLISH = "The weather is lovely today and I am going for a long walk in the park"
SPANISH = "Hoy hace un tiempo precioso y voy a dar un largo paseo por el parque con mis amigos"


def bodies(html: str) -> list[str]:
    """Return the post bodies of a page, top to bottom."""
    return re.findall(r'<p class="mb-1 post-body" id="post\d+" dir="auto">(.*?)</p>', html, flags=re.S)


def page_links(html: str) -> dict[str, str]:
    """Return the pager's links by their rel ('prev' = newer, 'next' = older)."""
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', html)}


def saved_bodies() -> list[str]:
    return list(db.session.scalars(sa.select(Post.body).order_by(Post.id)))


# Login required and methods


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/"), ("get", "/index"), ("post", "/index"), ("get", "/explore"), ("post", "/post/1/delete")],
)
def test_timeline_pages_send_anonymous_users_to_login(client, method, path):
    response = getattr(client, method)(path, data={"post": "sneaky"} if method == "post" else None)
    assert login_redirect_next(response) == path
    assert count_rows(Post) == 0


def test_login_redirect_keeps_query_string_in_next(client):
    response = client.get("/explore?page=2")
    assert login_redirect_next(response) == "/explore?page=2"


# Posting


def test_home_shows_greeting_and_post_form(logged_in):
    response = logged_in.get("/")
    assert response.status_code == 200
    assert "Hi, susan!" in response.text
    assert re.search(r'<textarea[^>]* name="post"', response.text)


def test_post_is_saved_and_redirects_to_home(logged_in, user):
    response = logged_in.post("/index", data={"post": ENGLISH})
    assert response.status_code == 302
    assert response.location == "/index"
    post = db.session.scalar(sa.select(Post))
    assert post.body == ENGLISH
    assert post.author == user


def test_post_redirect_get_shows_flash_and_post(logged_in):
    response = logged_in.post("/", data={"post": ENGLISH}, follow_redirects=True)
    assert response.request.method == "GET"
    assert "Your post is now live!" in response.text
    assert bodies(response.text) == [ENGLISH]


@pytest.mark.parametrize(("text", "language"), [(ENGLISH, "en"), (SPANISH, "es"), ("ok", "")])
def test_post_language_is_detected_and_stored(logged_in, text, language):
    logged_in.post("/index", data={"post": text})
    assert db.session.scalar(sa.select(Post.language)) == language


def test_post_surrounding_whitespace_is_trimmed(logged_in):
    logged_in.post("/index", data={"post": "   hello there   "})
    assert saved_bodies() == ["hello there"]


@pytest.mark.parametrize("length", [1, 140])
def test_post_of_allowed_length_is_saved(logged_in, length):
    response = logged_in.post("/index", data={"post": "x" * length})
    assert response.status_code == 302
    assert saved_bodies() == ["x" * length]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required."),
        ("   \n\t ", "This field is required."),
        ("x" * 141, "Field must be between 1 and 140 characters long."),
    ],
)
def test_invalid_post_is_form_error_and_not_saved(logged_in, text, error):
    response = logged_in.post("/index", data={"post": text})
    assert response.status_code == 200
    assert error in response.text
    assert 'class="invalid-feedback' in response.text
    assert count_rows(Post) == 0


def test_get_with_post_parameter_creates_nothing(logged_in):
    response = logged_in.get("/index", query_string={"post": "via GET", "submit": "Submit"})
    assert response.status_code == 200
    assert count_rows(Post) == 0


# Timeline contents and order


def test_home_shows_own_and_followed_posts_newest_first(logged_in, user, john):
    stranger = UserFactory(username="stranger")
    user.follow(john)
    db.session.commit()
    PostFactory(author=user, body="susan old")
    PostFactory(author=john, body="john middle")
    PostFactory(author=stranger, body="stranger post")
    PostFactory(author=user, body="susan new")
    html = logged_in.get("/index").text
    assert bodies(html) == ["susan new", "john middle", "susan old"]


def test_home_without_posts_says_so(logged_in):
    html = logged_in.get("/index").text
    assert "No posts yet." in html
    assert 'class="pagination"' not in html


def test_explore_shows_everyones_posts_newest_first_without_form(logged_in, user, john):
    PostFactory(author=john, body="first")
    PostFactory(author=user, body="second")
    PostFactory(body="third")
    response = logged_in.get("/explore")
    assert response.status_code == 200
    assert bodies(response.text) == ["third", "second", "first"]
    assert 'name="post"' not in response.text


def test_explore_post_links_author_profile_and_popup(logged_in, john):
    PostFactory(author=john, body="hello")
    html = logged_in.get("/explore").text
    assert 'href="/user/john"' in html
    assert 'data-popup-url="/user/john/popup"' in html


def test_delete_button_only_on_own_posts(logged_in, user, john):
    mine = PostFactory(author=user)
    theirs = PostFactory(author=john)
    html = logged_in.get("/explore").text
    assert f'action="/post/{mine.id}/delete' in html
    assert f'action="/post/{theirs.id}/delete' not in html


# Pagination


def test_pager_links_only_to_existing_pages(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(5):
        PostFactory(author=user, body=f"p{number}")

    first = logged_in.get("/explore")
    assert bodies(first.text) == ["p4", "p3"]
    assert page_links(first.text) == {"next": "/explore?page=2"}

    middle = logged_in.get("/explore", query_string={"page": 2})
    assert bodies(middle.text) == ["p2", "p1"]
    assert page_links(middle.text) == {"prev": "/explore?page=1", "next": "/explore?page=3"}

    last = logged_in.get("/explore", query_string={"page": 3})
    assert bodies(last.text) == ["p0"]
    assert page_links(last.text) == {"prev": "/explore?page=2"}

    assert logged_in.get("/explore", query_string={"page": 4}).status_code == 404


def test_home_pager_links_carry_the_place_of_the_posts_shown(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(5):
        PostFactory(author=user, body=f"p{number}")

    first = logged_in.get("/index")
    assert bodies(first.text) == ["p4", "p3"]
    links = page_links(first.text)
    assert list(links) == ["next"] and links["next"].startswith("/index?page=2&before=")

    middle = logged_in.get(links["next"])
    assert bodies(middle.text) == ["p2", "p1"]
    links = page_links(middle.text)
    assert links["prev"] == "/index?page=1"  # the newest posts: no place needed
    assert links["next"].startswith("/index?page=3&before=")

    last = logged_in.get(links["next"])
    assert bodies(last.text) == ["p0"]
    links = page_links(last.text)
    assert list(links) == ["prev"] and links["prev"].startswith("/index?page=2&after=")

    back = logged_in.get(links["prev"])
    assert bodies(back.text) == ["p2", "p1"]
    assert page_links(back.text) == page_links(middle.text)


def test_home_pages_read_by_their_links_do_not_shift_when_posts_arrive(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(4):
        PostFactory(author=user, body=f"p{number}")
    older = page_links(logged_in.get("/index").text)["next"]
    PostFactory(author=user, body="p4")
    assert bodies(logged_in.get(older).text) == ["p1", "p0"]
    # `?page=N` alone still counts from the newest post, as it always did.
    assert bodies(logged_in.get("/index?page=2").text) == ["p2", "p1"]


def test_home_pages_part_posts_of_the_same_time_by_id(app, logged_in, user, john):
    app.config["POSTS_PER_PAGE"] = 2
    user.follow(john)
    same_time = utcnow() - timedelta(hours=1)
    for number in range(7):
        PostFactory(author=(user, john)[number % 2], body=f"p{number}", timestamp=same_time)
    shown, path = [], "/index"
    while path:
        html = logged_in.get(path).text
        shown += bodies(html)
        path = page_links(html).get("next")
    assert shown == [f"p{number}" for number in reversed(range(7))]


def test_home_page_past_the_oldest_post_is_404(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(4):
        PostFactory(author=user, body=f"p{number}")
    last = page_links(logged_in.get("/index").text)["next"]
    assert bodies(logged_in.get(last).text) == ["p1", "p0"]
    past = last.replace("page=2", "page=3").replace(last.partition("before=")[2], "1000000-1")
    assert logged_in.get(past).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "before=abc",
        "before=1-",
        "before=-1",
        "after=1.5-2",
        "before=1-0",  # no row has id 0
        "before=1-2147483648",  # past the id column
        "after=9999999999999999999-1",
        "before=999999999999999999-1",  # past the last year a date can have
        "before=1-1&after=1-1",
    ],
)
def test_malformed_home_page_place_is_404(logged_in, query):
    response = logged_in.get(f"/index?page=2&{query}")
    assert response.status_code == 404
    assert is_site_layout(response.text)


def test_full_last_page_has_no_older_link(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(4):
        PostFactory(author=user, body=f"p{number}")
    last = logged_in.get("/index?page=2")
    assert bodies(last.text) == ["p1", "p0"]
    assert page_links(last.text) == {"prev": "/index?page=1"}
    assert logged_in.get("/index?page=3").status_code == 404


def test_single_page_has_no_pager(app, logged_in, user):
    app.config["POSTS_PER_PAGE"] = 2
    PostFactory(author=user)
    PostFactory(author=user)
    assert page_links(logged_in.get("/index").text) == {}


@pytest.mark.parametrize("path", ["/index", "/explore"])
@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "1.5", "", "%00", "١"])
def test_malformed_page_number_is_404(logged_in, path, page):
    response = logged_in.get(f"{path}?page={page}")
    assert response.status_code == 404
    assert is_site_layout(response.text)


# Deleting posts


def test_author_deletes_own_post(logged_in, user):
    post = PostFactory(author=user)
    response = logged_in.post(f"/post/{post.id}/delete")
    assert response.status_code == 302
    assert response.location == "/index"
    assert count_rows(Post) == 0
    assert "Your post has been deleted." in logged_in.get("/index").text


def test_delete_returns_to_local_next(logged_in, user):
    post = PostFactory(author=user)
    response = logged_in.post(f"/post/{post.id}/delete", query_string={"next": "/explore?page=1"})
    assert response.location == "/explore?page=1"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_delete_ignores_foreign_next(logged_in, user, target):
    post = PostFactory(author=user)
    response = logged_in.post(f"/post/{post.id}/delete", query_string={"next": target})
    assert response.location == "/index"


def test_deleting_anothers_post_is_403(logged_in, john):
    post = PostFactory(author=john, body="keep me")
    response = logged_in.post(f"/post/{post.id}/delete")
    assert response.status_code == 403
    assert is_site_layout(response.text)
    assert saved_bodies() == ["keep me"]


def test_deleting_unknown_post_is_404(logged_in):
    assert logged_in.post("/post/424242/delete").status_code == 404


def test_delete_by_get_is_405_and_keeps_post(logged_in, user):
    post = PostFactory(author=user)
    response = logged_in.get(f"/post/{post.id}/delete")
    assert response.status_code == 405
    assert count_rows(Post) == 1


# CSRF


def test_post_form_without_csrf_token_is_refused(logged_in, csrf_enabled):
    response = logged_in.post("/index", data={"post": ENGLISH})
    assert response.status_code == 400
    assert is_site_layout(response.text)
    assert count_rows(Post) == 0


def test_delete_without_csrf_token_is_refused(logged_in, user, csrf_enabled):
    post = PostFactory(author=user)
    response = logged_in.post(f"/post/{post.id}/delete")
    assert response.status_code == 400
    assert count_rows(Post) == 1


def test_delete_with_page_csrf_token_succeeds(logged_in, user, csrf_enabled):
    post = PostFactory(author=user)
    html = logged_in.get("/index").text
    card = re.search(rf'<article[^>]* id="post-{post.id}">(.*?)</article>', html, flags=re.S).group(1)
    assert re.search(rf'formaction="/post/{post.id}/delete[^"]*"', card)
    token = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)"', card)
    response = logged_in.post(f"/post/{post.id}/delete", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert count_rows(Post) == 0


# Cached post cards (app/web/fragments.py): a card is reused only while everything it shows is unchanged


def test_renamed_author_shows_under_the_new_name(logged_in, john):
    PostFactory(author=john, body="hello")
    assert 'href="/user/john"' in logged_in.get("/explore").text  # the card is now cached
    john.username = "johnny"
    db.session.commit()
    html = logged_in.get("/explore").text
    assert 'href="/user/johnny"' in html and ">johnny</a>" in html
    assert 'href="/user/john"' not in html


def test_new_email_keeps_the_avatar_made_from_the_id(logged_in, john):
    PostFactory(author=john, body="hello")
    before = re.search(r'<img src="([^"]+)" width="70"', logged_in.get("/explore").text).group(1)
    john.email = "john@elsewhere.example"
    db.session.commit()
    html = logged_in.get("/explore").text
    after = re.search(r'<img src="([^"]+)" width="70"', html).group(1)
    assert before == after == john.avatar(70)
    assert "john@elsewhere.example" not in html


def test_translate_link_follows_the_readers_language(app, logged_in, john):
    app.config["LIBRETRANSLATE_URL"] = "http://127.0.0.1:9"  # configured; never called here
    post = PostFactory(author=john, body=SPANISH, language="es")
    assert f'id="translation{post.id}"' in logged_in.get("/explore").text  # cached for English readers
    assert logged_in.post("/language/es").status_code == 302
    spanish_page = logged_in.get("/explore").text
    assert f'id="translation{post.id}"' not in spanish_page
    assert SPANISH in spanish_page
    assert logged_in.post("/language/en").status_code == 302
    assert f'id="translation{post.id}"' in logged_in.get("/explore").text


def test_authors_delete_button_never_reaches_another_reader(client, auth, user, john):
    post = PostFactory(author=john, body="mine")
    auth.login("john")
    assert f'action="/post/{post.id}/delete' in client.get("/explore").text
    auth.logout()
    auth.login("susan")
    html = client.get("/explore").text
    assert "mine" in html
    assert f'action="/post/{post.id}/delete' not in html


def test_cached_cards_are_the_cards_rendered_without_a_cache(app, logged_in, user, john):
    for number in range(6):
        PostFactory(author=john if number % 2 else user, body=f"p{number}")
    cold = logged_in.get("/explore").text
    warm = logged_in.get("/explore").text
    app.extensions["fragment_cache"].size = 0  # render every card
    uncached = logged_in.get("/explore").text

    def csrf_free(html: str) -> str:
        # Tokens are signed with the time: two requests a second apart carry different ones.
        return re.sub(r'name="csrf_token" value="[^"]*"|name="csrf-token" content="[^"]*"', "", html)

    assert csrf_free(cold) == csrf_free(warm) == csrf_free(uncached)


def test_cards_follow_the_path_the_app_is_mounted_at(app, logged_in, john):
    PostFactory(author=john, body="hello")
    assert 'href="/user/john"' in logged_in.get("/explore").text
    mounted = logged_in.get("/explore", environ_overrides={"SCRIPT_NAME": "/blog"}).text
    assert 'href="/blog/user/john"' in mounted
    assert 'data-popup-url="/blog/user/john/popup"' in mounted


# The post and reply forms are kept rendered per language (app.web.fragments.cached_form)


def form_token(html: str, form_id: str | None = None) -> str:
    """Return the CSRF token inside the page's post form (the one with the textarea), or the form with `form_id`."""
    start = html.index(f'id="{form_id}"') if form_id else html.index('enctype="multipart/form-data"')
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html[start:]).group(1)


def test_each_writer_gets_their_own_token_in_the_shared_post_and_reply_forms(csrf_enabled, client_as, user):
    john = UserFactory(username="john")
    susan, johns = client_as("susan"), client_as("john")
    susans_home, johns_home = susan.get("/").text, johns.get("/").text
    assert form_token(susans_home) == csrf_token_from(susans_home)
    assert form_token(johns_home) == csrf_token_from(johns_home) != form_token(susans_home)
    assert "@@csrf-token@@" not in susans_home + johns_home
    assert susan.post("/", data={"post": "with my own token", "csrf_token": form_token(susans_home)}).status_code == 302
    post = db.session.scalar(sa.select(Post).where(Post.body == "with my own token"))
    thread = johns.get(f"/post/{post.id}").text
    assert form_token(thread, "reply") == csrf_token_from(thread)
    reply = johns.post(f"/post/{post.id}", data={"post": "a reply", "csrf_token": form_token(thread, "reply")})
    assert reply.status_code == 302
    assert db.session.scalar(sa.select(Post).where(Post.body == "a reply", Post.user_id == john.id)) is not None


def test_a_refused_post_comes_back_with_its_text_and_error_then_the_form_is_blank_again(logged_in):
    refused = logged_in.post("/", data={"post": "x" * 141}).text
    assert "x" * 141 in refused and "is-invalid" in refused
    blank = logged_in.get("/").text
    assert "x" * 141 not in blank and "is-invalid" not in blank
