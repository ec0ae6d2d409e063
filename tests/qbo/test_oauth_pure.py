"""The OAuth pieces that need no server: the authorize URL, the pasted redirect, HTTPS rules."""

from urllib.parse import parse_qs, urlsplit

import pytest

from qbtui.qbo import (
    PRODUCTION,
    SANDBOX,
    Environment,
    InsecureURL,
    authorization_url,
    parse_redirect,
    require_secure,
    resolve_environment,
)

REDIRECT = "https://developer.intuit.com/v2/OAuth2Playground/RedirectUrl"


def test_authorization_url():
    url, state = authorization_url(PRODUCTION, "client-1", REDIRECT)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://appcenter.intuit.com/connect/oauth2"
    q = parse_qs(parts.query)
    assert q["client_id"] == ["client-1"] and q["response_type"] == ["code"]
    assert q["scope"] == ["com.intuit.quickbooks.accounting"]
    assert q["redirect_uri"] == [REDIRECT] and q["state"] == [state]
    assert len(state) >= 20 and "\n" not in url
    assert authorization_url(PRODUCTION, "client-1", REDIRECT)[1] != state


def test_parse_redirect_whole_url_query_string_and_wrapped():
    url = f"{REDIRECT}?code=AB11&state=s3cr&realmId=9341"
    assert parse_redirect(url, "s3cr") == ("AB11", "9341")
    assert parse_redirect("code=AB11&state=s3cr&realmId=9341", "s3cr") == ("AB11", "9341")
    assert parse_redirect("?code=AB11&state=s3cr&realmId=9341\n", "s3cr") == ("AB11", "9341")
    assert parse_redirect("  " + url[:30] + "\n" + url[30:], "s3cr") == ("AB11", "9341")


def test_parse_redirect_refuses_state_mismatch():
    with pytest.raises(ValueError, match="state mismatch"):
        parse_redirect(f"{REDIRECT}?code=AB11&state=other&realmId=9341", "s3cr")
    with pytest.raises(ValueError, match="no state"):
        parse_redirect(f"{REDIRECT}?code=AB11&realmId=9341", "s3cr")


def test_parse_redirect_refuses_error_redirect():
    with pytest.raises(ValueError, match="access_denied"):
        parse_redirect(f"{REDIRECT}?error=access_denied&state=s3cr", "s3cr")
    with pytest.raises(ValueError, match="invalid_scope"):
        parse_redirect("error=invalid_scope&error_description=bad+scope&state=s3cr", "s3cr")


def test_parse_redirect_missing_parts():
    with pytest.raises(ValueError, match="nothing pasted"):
        parse_redirect("   ", "s")
    with pytest.raises(ValueError, match="realmId"):
        parse_redirect("code=x&state=s", "s")
    with pytest.raises(ValueError, match="authorization code"):
        parse_redirect("realmId=1&state=s", "s")


@pytest.mark.parametrize("url", ["https://quickbooks.api.intuit.com/v3", "http://127.0.0.1:8765/v3",
                                 "http://127.9.9.9/v3", "http://localhost:1/x", "http://[::1]:80/v3"])
def test_secure_or_loopback_is_accepted(url):
    assert require_secure(url) == url


@pytest.mark.parametrize("url", ["http://example.com/v3", "http://10.0.0.5/v3", "http://[::2]/v3",
                                 "ftp://127.0.0.1/x", "http://localhost.example.com/v3"])
def test_plain_http_elsewhere_is_refused(url):
    with pytest.raises(InsecureURL):
        require_secure(url)


async def test_named_environments():
    assert await resolve_environment("production") is PRODUCTION
    assert (await resolve_environment("Sandbox")).api_base == "https://sandbox-quickbooks.api.intuit.com/v3"
    assert SANDBOX.token_url == "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
    assert PRODUCTION.revoke_url == "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
    with pytest.raises(ValueError, match="unknown environment"):
        await resolve_environment("staging")
    with pytest.raises(InsecureURL):
        await resolve_environment("http://sandbox.example.com:8765")


def test_insecure_environment_refused_by_client(tmp_path):
    from qbtui.qbo import QBOClient, TokenStore
    env = Environment("x", "http://qbo.example.com/v3", "https://a", "https://t", "https://r", "https://d")
    with pytest.raises(InsecureURL, match="HTTPS"):
        QBOClient(env, TokenStore(tmp_path), realm_id="1", client_id="c", client_secret="s")


@pytest.mark.parametrize("realm", ["123%2F..%2F456", "9341/../../v3/company/1", "abc", "12a", "\u0661\u0662\u0663",
                                   "1%3Fminorversion%3D1", "1%0A2", "1" * 33])
def test_parse_redirect_refuses_a_realm_id_that_is_not_digits(realm):
    with pytest.raises(ValueError, match="not a QuickBooks company id"):
        parse_redirect(f"{REDIRECT}?code=AB11&state=s3cr&realmId={realm}", "s3cr")


def test_client_refuses_a_stored_realm_id_that_is_not_digits(tmp_path):
    from qbtui.qbo import QBOClient, TokenStore
    with pytest.raises(ValueError, match="not a QuickBooks company id"):
        QBOClient(PRODUCTION, TokenStore(tmp_path), realm_id="1/../2", client_id="c", client_secret="s")
    assert QBOClient(PRODUCTION, TokenStore(tmp_path), realm_id="9341453050298736", client_id="c",
                     client_secret="s").realm_id == "9341453050298736"
