"""The app starts and the home page asks anonymous users to log in."""


def test_home_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_logged_in_user_sees_timeline(logged_in):
    response = logged_in.get("/index")
    assert response.status_code == 200
    assert "Hi, susan!" in response.text
