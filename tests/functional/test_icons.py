"""The site's icon, app manifest, theme colour and colour-scheme script, as every page links them."""

import re


def test_favicon_ico_answers_the_32_pixel_png(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert response.data[16:24] == (32).to_bytes(4, "big") * 2  # IHDR width and height
        assert response.headers["Cache-Control"] == "public, max-age=86400"


def test_the_manifest_names_the_app_and_icons_that_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Microblog" and manifest["start_url"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#0d6efd"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert set(sizes) == {"192x192", "512x512", "any"}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200 and served.mimetype == icon["type"], icon


def test_every_page_links_the_icons_manifest_theme_and_colour_script(client):
    page = client.get("/auth/login").text
    head = page[: page.index("</head>")]
    assert '<meta name="theme-color" content="#0d6efd">' in head
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    for path in re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', head):
        with client.get(path) as icon:
            assert icon.status_code == 200, path
    assert len(re.findall(r'rel="(?:icon|apple-touch-icon)"', head)) == 3
    # The colour scheme is set before any stylesheet, by a file (the CSP allows no inline script).
    script = re.search(r'<script src="(/static/js/theme\.js\?v=\w+)"></script>', head)
    assert script and head.index(script[0]) < head.index('rel="stylesheet"')
    with client.get(script[1]) as served:
        assert served.status_code == 200


def test_the_csp_lets_the_site_load_its_own_manifest(client):
    policy = client.get("/auth/login").headers["Content-Security-Policy"]
    assert "manifest-src 'self'" in policy.split("; ")
