"""Property tests of the pure parts: the pasted redirect and secret redaction."""

from urllib.parse import urlencode

from hypothesis import given, settings, strategies as st

from qbtui.qbo import parse_redirect
from qbtui.qbo.errors import redact

token = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=60)
secret = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=8, max_size=80)


@settings(max_examples=60, deadline=None)
@given(code=token, state=token, realm=st.text("0123456789", min_size=1, max_size=20), as_url=st.booleans())
def test_parse_redirect_round_trip(code, state, realm, as_url):
    query = urlencode({"code": code, "state": state, "realmId": realm})
    pasted = f"https://example.test/cb?{query}" if as_url else query
    assert parse_redirect(pasted, state) == (code, realm)


@settings(max_examples=60, deadline=None)
@given(s=secret, before=st.text(max_size=30), after=st.text(max_size=30), cut=st.integers(8, 80))
def test_redact_hides_secret_and_its_head(s, before, after, cut):
    text = f"{before} {s} {after} Token expired: {s[:cut]}..."
    out = redact(text, [s])
    assert s not in out
    if len(s[:cut]) >= 8:
        assert f"Token expired: {s[:cut]}" not in out
