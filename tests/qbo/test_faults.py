"""Fault parsing: every body shape QBO answers with (fixtures written from docs/qbo.md#errors)."""

import orjson
import pytest

from qbtui.qbo import QBOFault, ReconnectRequired, UnknownOutcome, parse_fault
from qbtui.qbo.errors import RECONNECT_MESSAGE, fault_for_response, redact

JSON_FAULT = orjson.dumps({"Fault": {"Error": [{"Message": "Duplicate Name Exists Error",
                                                "Detail": "The name supplied already exists. : Id=58",
                                                "code": "6240", "element": ""}],
                                     "type": "ValidationFault"}, "time": "2026-11-27T04:40:24.123-08:00"})

LOWER_401 = orjson.dumps({"warnings": None, "fault": {"error": [{
    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
    "detail": "Token expired: eyJhbGciOiJkaXIi...", "code": "3200", "element": None}],
    "type": "AUTHENTICATION"}, "time": 1601391072830})

XML_429 = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="2026-11-27T04:40:24.123-08:00" xmlns="http://schema.intuit.com/finance/v3">
  <Fault type="SERVICE">
    <Error code="3001">
      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
      <Detail>The request limit was reached.  Try again later</Detail>
    </Error>
  </Fault>
</IntuitResponse>
"""


def test_json_fault():
    f = parse_fault(400, JSON_FAULT)
    assert (f.code, f.message, f.element, f.status, f.fault_type) == (
        "6240", "Duplicate Name Exists Error", "", 400, "ValidationFault")
    assert "Id=58" in f.detail
    assert "6240" in str(f)


def test_json_fault_with_http_200():
    f = parse_fault(200, JSON_FAULT)
    assert f.status == 200 and f.code == "6240"


def test_lowercase_401_fault():
    f = parse_fault(401, LOWER_401)
    assert (f.code, f.status, f.fault_type) == ("3200", 401, "AUTHENTICATION")
    assert f.message.startswith("message=AuthenticationFailed")
    assert f.element == ""


def test_xml_429_fault():
    f = parse_fault(429, XML_429)
    assert (f.code, f.status, f.fault_type) == ("3001", 429, "SERVICE")
    assert "ThrottleExceeded" in f.message
    assert f.detail.startswith("The request limit was reached")
    assert f.is_throttle


def test_several_errors_are_kept():
    body = orjson.dumps({"Fault": {"Error": [{"Message": "a", "code": "2020", "element": "Line"},
                                             {"Message": "b", "code": "2050"}], "type": "ValidationFault"}})
    f = parse_fault(400, body)
    assert f.code == "2020" and f.element == "Line"
    assert [e["code"] for e in f.errors] == ["2020", "2050"]


def test_no_fault_and_stand_in():
    assert parse_fault(200, b'{"Invoice": {}}') is None
    assert parse_fault(502, b"<html>bad gateway</html>") is None
    f = fault_for_response(502, b"<html>bad gateway</html>")
    assert f.status == 502 and f.code == "10000"


def test_secrets_are_redacted_from_fault_text():
    token = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0..secret-part"
    body = orjson.dumps({"fault": {"error": [{"message": "m", "detail": f"Token expired: {token[:16]}...",
                                              "code": "3200"}], "type": "AUTHENTICATION"}})
    f = parse_fault(401, body, secrets=[token])
    assert token[:16] not in str(f) and token[:16] not in f.detail
    assert redact(f"a {token} b", [token]) == "a *** b"


def test_reconnect_required_and_unknown_outcome_text():
    r = ReconnectRequired()
    assert str(r) == RECONNECT_MESSAGE
    assert isinstance(r, QBOFault) and r.code == "invalid_grant"
    u = UnknownOutcome("rid-1", "POST", "invoice")
    assert u.request_id == "rid-1" and "rid-1" in str(u)


@pytest.mark.parametrize("exc", [QBOFault("6240", "m", "d", status=400, fault_type="ValidationFault"),
                                 ReconnectRequired(status=400), UnknownOutcome("r", "POST", "invoice")])
def test_faults_pickle(exc):
    import pickle
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and str(back) == str(exc)
