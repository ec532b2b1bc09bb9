"""The ceiling: what bare Flask on the same gunicorn settings serves when there is no database at all.

Two endpoints, answered from memory:

- `/html`: a Jinja template (a layout with a navbar and 25 posts) rendered on every request into a
  page of CEILING_HTML_BYTES bytes (the size of the real home page, measured by bench/run.py);
- `/json/<bytes>/<items>`: a collection document (`items`, `_meta`, `_links`) of `items` posts,
  serialised on every request to `bytes` bytes: bench/run.py asks for the size and item count of
  each JSON endpoint it measures (issue: "a JSON document of the same size"); 0 items is `[]`.

The template is compiled once and cached, as the app's templates are (Flask's loader cache).

The post bodies are padded at start-up until the output is within 1% of the target size.
Run by bench/run.py as `gunicorn ... --pythonpath bench ceiling:app`.
"""

import os
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, render_template
from jinja2 import DictLoader

POSTS = 25
WORDS = "coffee morning city river music friends weekend garden book train rain sunny quiet walk".split()

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} - Microblog</title>
  <link rel="stylesheet" href="/static/bootstrap.min.css">
</head>
<body>
<nav class="navbar navbar-expand-lg bg-body-tertiary">
  <div class="container">
    <a class="navbar-brand" href="/">Microblog</a>
    <ul class="navbar-nav me-auto">
      {% for label, href in menu %}<li class="nav-item"><a class="nav-link" href="{{ href }}">{{ label }}</a></li>
      {% endfor %}
    </ul>
    <form class="d-flex" method="get" action="/search"><input class="form-control" name="q" aria-label="Search"></form>
  </div>
</nav>
<main class="container">
  <h1>Hi, {{ user.username }}!</h1>
  {% for post in posts %}
  <article class="d-flex gap-3 py-2 border-bottom" id="post-{{ post.id }}">
    <a href="/user/{{ post.author }}">
      <img src="{{ post.avatar }}" width="70" height="70" alt="Avatar of {{ post.author }}"></a>
    <div class="flex-grow-1">
      <div><a class="user_popup fw-semibold" href="/user/{{ post.author }}"
              data-popup-url="/user/{{ post.author }}/popup">{{ post.author }}</a>
        <span class="text-body-secondary">said
          <span data-timestamp="{{ post.timestamp }}">{{ post.timestamp }}</span>:</span></div>
      <p class="mb-1 post-body" id="post{{ post.id }}" dir="auto">{{ post.body }}</p>
    </div>
  </article>
  {% endfor %}
  <nav aria-label="Post navigation"><ul class="pagination">
    <li class="page-item"><a class="page-link" href="/index?page=2">Older posts</a></li>
  </ul></nav>
</main>
<script src="/static/bootstrap.bundle.min.js"></script>
</body>
</html>
"""

MENU = [("Home", "/"), ("Explore", "/explore"), ("Messages", "/messages"), ("Profile", "/user/bench")]


def fake_posts(body_length: int, count: int = POSTS) -> list[dict]:
    """Return `count` posts whose bodies are `body_length` characters long."""
    now = datetime(2025, 1, 31, 12, tzinfo=UTC)
    posts = []
    for i in range(count):
        words = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(body_length // 4 + 1))
        author = f"{WORDS[i % len(WORDS)]}{i}_s1"
        posts.append(
            {
                "id": 1_000_000 - i,
                "author": author,
                "author_id": 1000 + i,
                "avatar": f"https://www.gravatar.com/avatar/{i:032x}?d=identicon&s=70",
                "timestamp": (now - timedelta(minutes=7 * i)).isoformat(),
                "language": "en",
                "body": words[:body_length],
            }
        )
    return posts


def fit(target: int, size_of) -> int:
    """Return the body length whose output size is closest to `target` (size grows with the length)."""
    low, high = 0, 1
    while size_of(high) < target and high < 1_000_000:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        if size_of(middle) < target:
            low = middle + 1
        else:
            high = middle
    return low


def timeline_document(posts: list[dict]) -> dict:
    items = [
        {
            "id": post["id"],
            "body": post["body"],
            "timestamp": post["timestamp"],
            "language": post["language"],
            "author_id": post["author_id"],
            "author": post["author"],
            "_links": {"self": f"/api/posts/{post['id']}", "author": f"/api/users/{post['author_id']}"},
        }
        for post in posts
    ]
    return {
        "items": items,
        "_meta": {"page": 1, "per_page": len(items), "total_pages": 40, "total_items": 1000},
        "_links": {
            "self": "/api/timeline?page=1&per_page=25",
            "next": "/api/timeline?page=2&per_page=25",
            "prev": None,
        },
    }


def create_app() -> Flask:
    app = Flask(__name__)
    html_target = int(os.environ.get("CEILING_HTML_BYTES", "30000"))
    app.jinja_loader = DictLoader({"page.html": PAGE})
    user = {"username": "bench"}
    documents: dict[tuple[int, int], dict] = {}

    def render(posts: list[dict]) -> str:
        return render_template("page.html", title="Home", menu=MENU, user=user, posts=posts)

    def json_document(size: int, items: int) -> dict:
        """Return the document of `items` posts padded to `size` bytes (built once per shape)."""
        if (size, items) not in documents:

            def size_of(length: int) -> int:
                return len(jsonify(timeline_document(fake_posts(length, items))).get_data())

            documents[size, items] = timeline_document(fake_posts(fit(size, size_of), items))
        return documents[size, items]

    with app.test_request_context():
        html_posts = fake_posts(fit(html_target, lambda n: len(render(fake_posts(n)).encode())))

    @app.route("/html")
    def html():
        return render(html_posts)

    @app.route("/json/<int:size>/<int:items>")
    def json(size: int, items: int):
        if items == 0:
            return jsonify([])  # what an endpoint with nothing to list answers
        return jsonify(json_document(size, min(items, 1000)))

    return app


app = create_app()
