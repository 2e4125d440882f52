"""Web basics on every page: security headers, cookies, CSRF, error pages, local assets."""

import re
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.factories import login, make_user
from wellness.accounts.models import Role

ROOT = Path(__file__).resolve().parent.parent


def get_pages(app):
    """Every GET route in the URL map, with 1 for each id."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield re.sub(r"<[^>]+>", "1", rule.rule)


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_page_has_security_headers_signed_out_and_in(app, ctx):
    anonymous, admin = app.test_client(), app.test_client()
    login(admin, make_user("itadmin", Role.ADMIN))
    for page in get_pages(app):
        for client in (anonymous, admin):
            response = client.get(page)
            assert_security_headers(response)
            assert response.headers["Cache-Control"] == "no-store"
    with anonymous.get("/static/style.css") as static:
        assert_security_headers(static)
    assert_security_headers(anonymous.get("/no/such/page"))


def test_no_hsts_over_plain_http_but_hsts_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_lax(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_cookie_is_secure_when_served_over_https(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", HTTPS=True)
    response = app.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_post_without_csrf_token_is_refused(client, ctx):
    make_user("jordan", Role.OFFICER)
    response = client.post(
        "/login", data={"username": "jordan", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    forged = client.post(
        "/login",
        data={"username": "jordan", "password": "correct horse battery", "csrf_token": "forged"},
    )
    assert forged.status_code == 400


def test_logout_by_a_cross_site_get_does_nothing(client, ctx):
    login(client, make_user("jordan", Role.OFFICER))
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_not_found_page_is_friendly_and_echoes_nothing(client):
    response = client.get("/nothing-here-<script>alert(1)</script>")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in body
    assert "<script>alert(1)" not in body
    assert "nothing-here" not in body


def test_oversized_body_gets_413(client):
    response = client.post("/login", data={"username": "x" * 400_000, "password": "y"})
    assert response.status_code == 413
    assert "Too much to send" in response.get_data(as_text=True)


def test_server_error_page_reveals_nothing(tmp_path, caplog):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("SECRET-MARKER in the exception")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "SECRET-MARKER" not in body
    assert "Traceback" not in body
    assert "SECRET-MARKER" not in caplog.text


def test_method_not_allowed_page(client):
    assert client.delete("/login").status_code == 405


def test_every_asset_is_local():
    """No CDN, web font or third-party script anywhere in the templates or stylesheets."""
    pattern = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//|@import|url\(\s*["']?(https?:)?//""")
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("wellness/static/**/*")]
    assert files
    for path in files:
        if path.is_file() and path.suffix != ".png":  # (the app's icons: pictures, no links)
            assert not pattern.search(path.read_text()), path


def test_pages_use_no_inline_script_or_style():
    """Scripts only as files served from here (the CSP allows no other), and none needed."""
    for path in ROOT.glob("templates/**/*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script[^>]*>", text):
            assert re.search(r'src="\{\{ url_for\(\'static\'', tag), (path, tag)
        assert not re.search(r"<script[^>]*>\s*[^<\s]", text), path  # no inline code
        assert " style=" not in text, path
        assert "<style" not in text, path


def test_crisis_numbers_are_on_every_page_even_signed_out(client):
    for page in ["/", "/login", "/missing"]:
        body = client.get(page).get_data(as_text=True)
        assert 'href="tel:988"' in body
        assert 'href="tel:911"' in body


@pytest.mark.parametrize("page", ["/", "/login"])
def test_pages_have_landmarks_and_labels(client, page):
    body = client.get(page).get_data(as_text=True)
    assert '<main id="main"' in body
    assert 'lang="en"' in body
    assert 'class="skip"' in body
    for input_id in re.findall(r'<input[^>]*\bid="([^"]+)"[^>]*type="(?:text|password)"', body):
        assert f'for="{input_id}"' in body
