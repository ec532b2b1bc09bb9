"""Static files have content-fingerprinted URLs and may be cached for a year."""

import os
import re

from flask import url_for


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:static|bootstrap/static)/[^"]+)"', html)


def test_every_asset_url_carries_a_content_fingerprint(client):
    urls = asset_urls(client.get("/auth/login").text)
    assert len(urls) >= 5
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls


def test_fingerprinted_assets_are_cacheable_for_a_year(client):
    for url in asset_urls(client.get("/auth/login").text):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "max-age=31536000" in response.headers["Cache-Control"], url
        response.close()


def test_fingerprint_changes_with_the_content(app, client, tmp_path):
    app.static_folder = str(tmp_path)
    asset = tmp_path / "thing.css"
    asset.write_text("a {}")
    with app.test_request_context():
        first = url_for("static", filename="thing.css")
        asset.write_text("a { color: red }")
        os.utime(asset, (1, 1))  # a new modification time, whatever the clock's resolution
        second = url_for("static", filename="thing.css")
    assert first != second
