"""Avatars: every account's picture is drawn and served by the app; Gravatar only when asked for."""

import hashlib
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from app.avatars import identicon
from app.extensions import db
from app.models import Post
from config import ConfigError
from tests.support.api import bearer, token_for
from tests.support.apps import make_app, pushed
from tests.support.auth import signed_in
from tests.support.factories import PostFactory, UserFactory

SVG = "{http://www.w3.org/2000/svg}"
LOCAL_AVATAR = re.compile(r'<img src="(/avatar/\d+/[0-9a-f]{12}\.svg\?s=\d+)"')
ONE_YEAR = "public, max-age=31536000, immutable"
# The start of the SHA-256 of account 1's picture at 70 pixels, as generator version 1 draws it.
PINNED_DRAWING = "7c367b59575cf303"


def img_sources(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def img_src_directive(response) -> str:
    """The CSP's img-src directive."""
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.startswith("img-src "))


@pytest.fixture
def counting_app():
    """An app that reports each request's SQL statements in X-Query-Count."""
    yield from pushed(make_app(QUERY_COUNT_HEADER=True))


@pytest.fixture
def gravatar_app():
    """An app whose operator chose AVATAR_PROVIDER=gravatar."""
    yield from pushed(make_app(AVATAR_PROVIDER="gravatar"))


# Pages point at the app's own pictures


def test_profile_and_cards_show_pictures_served_by_the_app(logged_in, john):
    post = PostFactory(author=john, body="hello from john")
    profile = logged_in.get("/user/john").text
    assert f'<img src="{john.avatar(256)}" width="128"' in profile
    assert john.avatar(256).startswith(f"/avatar/{john.id}/")
    for path in ("/user/john", "/explore", f"/post/{post.id}"):
        html = logged_in.get(path).text
        sources = img_sources(html)
        assert sources, f"{path} shows no picture"
        assert all(LOCAL_AVATAR.match(f'<img src="{src}"') for src in sources), (path, sources)
        assert f'<img src="{john.avatar(70)}" width="70"' in html or path == "/user/john"
        assert "gravatar" not in html and "john@example.com" not in html


def test_the_popup_messages_and_api_point_at_the_app(logged_in, john, client_as):
    assert client_as("john").post("/send_message/susan", data={"message": "hi susan"}).status_code == 302
    assert f'<img src="{john.avatar(64)}"' in logged_in.get("/user/john/popup").text
    assert f'<img src="{john.avatar(48)}"' in logged_in.get("/messages").text
    data = logged_in.get(f"/api/users/{john.id}", headers=bearer(token_for(logged_in, "susan"))).get_json()
    assert data["_links"]["avatar"] == f"/avatar/{john.id}/{identicon.fingerprint(john.id)}.svg?s=128"


def test_outside_a_request_the_url_is_the_same_path(app):
    user = UserFactory()
    outside = user.avatar(70)  # a shell, a command or a task: no request, no SERVER_NAME
    with app.test_request_context():
        assert user.avatar(70) == outside == f"/avatar/{user.id}/{identicon.fingerprint(user.id)}.svg?s=70"


def test_cards_read_no_email_address(app):
    PostFactory(author=UserFactory(email="secret@example.com"))
    db.session.expunge_all()
    post = db.session.scalars(sa.select(Post).options(*Post.card_options())).one()
    assert "email" in sa.inspect(post.author).unloaded
    assert "username" not in sa.inspect(post.author).unloaded


# The picture itself


def test_the_picture_is_a_year_cacheable_svg_made_with_no_query(counting_app):
    user = UserFactory(username="susan")
    client = signed_in(counting_app, "susan")  # a signed-in visitor too: the user is not even loaded
    with counting_app.test_request_context():
        url = user.avatar(70)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == ONE_YEAR
    assert response.headers["X-Query-Count"] == "0"
    assert "Set-Cookie" not in response.headers
    anonymous = counting_app.test_client().get(url)
    assert anonymous.data == response.data and anonymous.headers["X-Query-Count"] == "0"


def test_the_svg_is_numbers_and_shapes_only(client):
    response = client.get(f"/avatar/7/{identicon.fingerprint(7)}.svg?s=64")
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("64", "64")
    elements = list(root.iter())
    assert {element.tag for element in elements} == {f"{SVG}svg", f"{SVG}rect", f"{SVG}path"}
    for element in elements:
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") and "href" not in name.lower(), name
            assert "url(" not in value and "javascript" not in value.lower(), value
        assert not (element.text or "").strip()
    assert b"<script" not in response.data and b"<!" not in response.data
    # Opened on its own, it may load nothing.
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"


def test_the_size_only_sets_width_and_height(client):
    base = f"/avatar/3/{identicon.fingerprint(3)}.svg"

    def drawing(query: str) -> tuple[str, str]:
        text = client.get(base + query).text
        size = re.search(r'width="(\d+)"', text).group(1)
        return size, re.sub(r'(width|height)="\d+" (height="\d+" )?', "", text, count=1)

    sizes = {query: drawing(query) for query in ("?s=32", "?s=256", "?s=100000", "?s=-5", "?s=big", "")}
    assert {query: size for query, (size, _) in sizes.items()} == {
        "?s=32": "32",
        "?s=256": "256",
        "?s=100000": str(identicon.MAX_SIZE),
        "?s=-5": str(identicon.MIN_SIZE),
        "?s=big": str(identicon.DEFAULT_SIZE),
        "": str(identicon.DEFAULT_SIZE),
    }
    assert len({picture for _, picture in sizes.values()}) == 1


def test_different_ids_get_different_pictures_and_one_id_always_the_same(client):
    def picture(user_id: int) -> bytes:
        response = client.get(f"/avatar/{user_id}/{identicon.fingerprint(user_id)}.svg?s=70")
        assert response.status_code == 200
        return response.data

    pictures = {user_id: picture(user_id) for user_id in range(1, 41)}
    assert len(set(pictures.values())) == 40
    assert len({identicon.fingerprint(user_id) for user_id in pictures}) == 40
    assert picture(5) == pictures[5]


def test_a_restart_with_another_secret_key_keeps_every_url_and_picture(app, client):
    user = UserFactory()
    url, body = user.avatar(70), client.get(user.avatar(70)).data
    other = make_app(SECRET_KEY="another-secret-key-that-is-long-enough-for-hs256")
    with other.test_request_context():
        assert other.extensions["avatars"].url(user, 70) == url
    assert other.test_client().get(url).data == body


def test_the_picture_does_not_depend_on_the_email(app, client):
    user = UserFactory(email="first@example.com")
    before = client.get(user.avatar(70)).data
    user.email = "second@example.com"
    db.session.commit()
    assert client.get(user.avatar(70)).data == before


def test_a_drawing_is_pinned_to_its_generator_version(client):
    # Changing how identicons look must come with a new identicon.VERSION (and new pins here): the
    # URLs then change, and no browser keeps showing last year's drawing for a year.
    assert identicon.VERSION == 1
    assert identicon.fingerprint(1) == "b79346f2725e"
    body = client.get("/avatar/1/b79346f2725e.svg?s=70").data
    assert hashlib.sha256(body).hexdigest()[:16] == PINNED_DRAWING


def test_an_outdated_or_made_up_fingerprint_redirects_to_the_current_picture(client):
    current = f"/avatar/9/{identicon.fingerprint(9)}.svg?s=48"
    for wrong in ("000000000000", "%C3%A9t%C3%A9", "x" * 200):
        response = client.get(f"/avatar/9/{wrong}.svg?s=48")
        assert response.status_code == 302, wrong
        assert response.headers["Location"] == current
        assert "immutable" not in response.headers["Cache-Control"]


def test_a_cached_picture_is_revalidated_without_a_body(client):
    url = f"/avatar/2/{identicon.fingerprint(2)}.svg?s=70"
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_urls_that_are_not_pictures_are_not_found(client):
    for path in ("/avatar/abc/0.svg", "/avatar/1.svg", f"/avatar/1/{identicon.fingerprint(1)}.png"):
        assert client.get(path).status_code == 404, path


# The content security policy


def test_by_default_pages_may_load_pictures_from_the_site_only(client):
    assert img_src_directive(client.get("/auth/login")) == "img-src 'self' data:"


# Images on posts from a bucket's public URL


@pytest.mark.parametrize(
    ("public_url", "origin"),
    [
        ("https://pics.example.com", "https://pics.example.com"),
        ("https://CDN.Example.com:8443/media/bucket/", "https://cdn.example.com:8443"),
        ("https://reader:secret@cdn.example.com/m", "https://cdn.example.com"),
    ],
)
def test_with_a_public_bucket_url_pages_may_load_pictures_from_its_origin(public_url, origin):
    app = make_app(S3_BUCKET="pics", S3_REGION="us-east-1", S3_PUBLIC_URL=public_url)
    assert img_src_directive(app.test_client().get("/auth/login")) == f"img-src 'self' data: {origin}"


def test_a_bucket_without_public_url_or_a_public_url_without_bucket_adds_no_host():
    private = make_app(S3_BUCKET="pics", S3_REGION="us-east-1")
    assert img_src_directive(private.test_client().get("/auth/login")) == "img-src 'self' data:"
    # Without a bucket the images are the local directory's, served by the site: the URL is unused.
    local = make_app(S3_PUBLIC_URL="https://pics.example.com")
    assert img_src_directive(local.test_client().get("/auth/login")) == "img-src 'self' data:"


def test_gravatar_and_a_public_bucket_are_both_allowed():
    app = make_app(AVATAR_PROVIDER="gravatar", S3_BUCKET="pics", S3_PUBLIC_URL="https://pics.example.com/x")
    directive = img_src_directive(app.test_client().get("/auth/login"))
    assert directive == "img-src 'self' data: https://www.gravatar.com https://pics.example.com"


# Gravatar, for operators who ask for it


def test_with_gravatar_pages_show_gravatar_pictures_and_the_csp_allows_its_host(gravatar_app):
    john = UserFactory(username="john", email="John@Example.com")
    PostFactory(author=john)
    UserFactory(username="susan")
    client = signed_in(gravatar_app, "susan")
    digest = hashlib.md5(b"john@example.com").hexdigest()
    expected = f"https://www.gravatar.com/avatar/{digest}?d=identicon&amp;s=70"
    explore = client.get("/explore")
    assert expected in explore.text
    assert 'src="/avatar/' not in explore.text
    assert img_src_directive(explore) == "img-src 'self' data: https://www.gravatar.com"
    assert f"https://www.gravatar.com/avatar/{digest}?d=identicon&amp;s=256" in client.get("/user/john").text


def test_with_gravatar_a_new_email_shows_the_new_picture_in_cached_cards(gravatar_app):
    john = UserFactory(username="john", email="john@example.com")
    PostFactory(author=john, body="hello")
    UserFactory(username="susan")
    client = signed_in(gravatar_app, "susan")
    before = re.search(r'<img src="([^"]+)" width="70"', client.get("/explore").text).group(1)
    john.email = "john@elsewhere.example"
    db.session.commit()
    after = re.search(r'<img src="([^"]+)" width="70"', client.get("/explore").text).group(1)
    assert before != after == john.avatar(70).replace("&", "&amp;")


def test_with_gravatar_cards_load_the_email_with_the_author(gravatar_app):
    PostFactory(author=UserFactory(email="someone@example.com"))
    db.session.expunge_all()
    post = db.session.scalars(sa.select(Post).options(*Post.card_options())).one()
    assert "email" not in sa.inspect(post.author).unloaded


def test_an_unknown_provider_is_refused_at_start():
    with pytest.raises(ConfigError, match="AVATAR_PROVIDER"):
        make_app(AVATAR_PROVIDER="flickr")
