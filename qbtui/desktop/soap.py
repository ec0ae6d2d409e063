"""SOAP 1.1 as the QuickBooks Web Connector speaks it: document/literal calls in the ``http://developer.intuit.com/``
namespace, one method per request (docs/desktop.md#the-call-sequence), and the service's WSDL."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://developer.intuit.com/"
MAX_BODY = 64 * 1024 * 1024
"""A request larger than this is refused: a list query's answer of a large company file runs to megabytes."""

#: every method and its parameters, in the order of the Web Connector's WSDL; the result is ``<method>Result``
METHODS: dict[str, tuple[tuple[str, str], ...]] = {
    "serverVersion": (),
    "clientVersion": (("strVersion", "string"),),
    "authenticate": (("strUserName", "string"), ("strPassword", "string")),
    "sendRequestXML": (("ticket", "string"), ("strHCPResponse", "string"), ("strCompanyFileName", "string"),
                       ("qbXMLCountry", "string"), ("qbXMLMajorVers", "int"), ("qbXMLMinorVers", "int")),
    "receiveResponseXML": (("ticket", "string"), ("response", "string"), ("hresult", "string"),
                           ("message", "string")),
    "connectionError": (("ticket", "string"), ("hresult", "string"), ("message", "string")),
    "getLastError": (("ticket", "string"),),
    "closeConnection": (("ticket", "string"),),
    "getInteractiveURL": (("wcTicket", "string"), ("sessionID", "string")),
    "interactiveDone": (("wcTicket", "string"),),
    "interactiveRejected": (("wcTicket", "string"), ("reason", "string")),
}
RESULT_TYPE = {"authenticate": "tns:ArrayOfString", "receiveResponseXML": "s:int"}


class SoapError(ValueError):
    """A request that is not a Web Connector call: answered with a SOAP Fault."""


def parse_call(body: bytes) -> tuple[str, dict[str, str]]:
    """(method, {parameter: text}) of a SOAP request. A DOCTYPE is refused (no entity expansion reaches the parser)."""
    if len(body) > MAX_BODY:
        raise SoapError("request too large")
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise SoapError("a DOCTYPE is not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SoapError(f"not XML: {exc}") from None
    soap_body = root.find(f"{{{ENVELOPE}}}Body")
    if root.tag != f"{{{ENVELOPE}}}Envelope" or soap_body is None or len(soap_body) == 0:
        raise SoapError("not a SOAP 1.1 envelope")
    call = soap_body[0]
    method = call.tag.rsplit("}", 1)[-1]
    if method not in METHODS:
        raise SoapError(f"unknown method {method}")
    params = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in call}
    return method, params


def _envelope(inner: ET.Element) -> bytes:
    """``inner`` in a SOAP 1.1 envelope. Prefixes are written as plain names (no ``ET.register_namespace``: that
    would change how every other XML of the process is written)."""
    env = ET.Element("soap:Envelope", {"xmlns:soap": ENVELOPE, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                                       "xmlns:xsd": "http://www.w3.org/2001/XMLSchema"})
    ET.SubElement(env, "soap:Body").append(inner)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(env, encoding="utf-8", xml_declaration=False)


def response(method: str, result: str | int | Iterable[str]) -> bytes:
    """The SOAP answer of ``method``: ``<methodResponse><methodResult>``, an ArrayOfString's ``<string>`` items for
    authenticate."""
    outer = ET.Element(f"{method}Response", xmlns=TNS)
    res = ET.SubElement(outer, f"{method}Result")
    if isinstance(result, (str, int)):
        res.text = str(result)
    else:
        for item in result:
            ET.SubElement(res, "string").text = item
    return _envelope(outer)


def call(method: str, **params: str | int) -> bytes:
    """A SOAP request of ``method`` (what the Web Connector sends; for the tests and the simulator)."""
    inner = ET.Element(method, xmlns=TNS)
    for name, _ in METHODS[method]:
        if name in params:
            ET.SubElement(inner, name).text = str(params[name])
    return _envelope(inner)


def result(body: bytes) -> str | list[str]:
    """The result of a SOAP answer (a list for an ArrayOfString)."""
    root = ET.fromstring(body)
    outer = root.find(f"{{{ENVELOPE}}}Body")[0]
    res = outer[0]
    items = res.findall(f"{{{TNS}}}string")
    return [i.text or "" for i in items] if items or outer.tag.endswith("authenticateResponse") else res.text or ""


def fault(message: str) -> bytes:
    outer = ET.Element("soap:Fault")
    ET.SubElement(outer, "faultcode").text = "soap:Client"
    ET.SubElement(outer, "faultstring").text = message
    return _envelope(outer)


def wsdl(location: str) -> bytes:
    """The service's WSDL (document/literal, SOAP 1.1), every method of :data:`METHODS` at ``location``."""
    s, w, soap = "s:", "wsdl:", "soap:"
    defs = ET.Element("wsdl:definitions", {"xmlns:wsdl": "http://schemas.xmlsoap.org/wsdl/",
                                           "xmlns:s": "http://www.w3.org/2001/XMLSchema",
                                           "xmlns:soap": "http://schemas.xmlsoap.org/wsdl/soap/", "xmlns:tns": TNS,
                                           "targetNamespace": TNS})
    schema = ET.SubElement(ET.SubElement(defs, f"{w}types"), f"{s}schema", elementFormDefault="qualified",
                           targetNamespace=TNS)
    array = ET.SubElement(schema, f"{s}complexType", name="ArrayOfString")
    ET.SubElement(ET.SubElement(array, f"{s}sequence"), f"{s}element", minOccurs="0",
                  maxOccurs="unbounded", name="string", nillable="true", type="s:string")
    for method, params in METHODS.items():
        seq = ET.SubElement(ET.SubElement(ET.SubElement(schema, f"{s}element", name=method),
                                          f"{s}complexType"), f"{s}sequence")
        for name, kind in params:
            ET.SubElement(seq, f"{s}element", minOccurs="1" if kind == "int" else "0", maxOccurs="1", name=name,
                          type=f"s:{kind}")
        out = ET.SubElement(ET.SubElement(ET.SubElement(schema, f"{s}element", name=f"{method}Response"),
                                          f"{s}complexType"), f"{s}sequence")
        ET.SubElement(out, f"{s}element", minOccurs="0", maxOccurs="1", name=f"{method}Result",
                      type=RESULT_TYPE.get(method, "s:string"))
    for method in METHODS:
        for way, suffix in (("SoapIn", ""), ("SoapOut", "Response")):
            msg = ET.SubElement(defs, f"{w}message", name=f"{method}{way}")
            ET.SubElement(msg, f"{w}part", name="parameters", element=f"tns:{method}{suffix}")
    port = ET.SubElement(defs, f"{w}portType", name="QBWebConnectorSvcSoap")
    binding = ET.SubElement(defs, f"{w}binding", name="QBWebConnectorSvcSoap", type="tns:QBWebConnectorSvcSoap")
    ET.SubElement(binding, f"{soap}binding", transport="http://schemas.xmlsoap.org/soap/http", style="document")
    for method in METHODS:
        op = ET.SubElement(port, f"{w}operation", name=method)
        ET.SubElement(op, f"{w}input", message=f"tns:{method}SoapIn")
        ET.SubElement(op, f"{w}output", message=f"tns:{method}SoapOut")
        bop = ET.SubElement(binding, f"{w}operation", name=method)
        ET.SubElement(bop, f"{soap}operation", soapAction=f"{TNS}{method}", style="document")
        for way in ("input", "output"):
            ET.SubElement(ET.SubElement(bop, f"{w}{way}"), f"{soap}body", use="literal")
    service = ET.SubElement(defs, f"{w}service", name="QBWebConnectorSvc")
    svc_port = ET.SubElement(service, f"{w}port", name="QBWebConnectorSvcSoap",
                             binding="tns:QBWebConnectorSvcSoap")
    ET.SubElement(svc_port, f"{soap}address", location=location)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(defs, encoding="utf-8", xml_declaration=False)
