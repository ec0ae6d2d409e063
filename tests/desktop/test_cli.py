"""`qbtui connect --desktop`, `qbtui desktop qwc` as a user runs them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tests.desktop.webconnector import PASSWORD, PASSWORD_ENV, cli, desktop_profile

GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")


def test_connect_desktop_never_prints_the_password(tmp_path):
    r = cli(tmp_path, "--profile", "shop", "connect", "--desktop", "--password-env", PASSWORD_ENV,
            env={PASSWORD_ENV: PASSWORD})
    assert r.exit_code == 0 and "qbtui desktop qwc" in r.output and PASSWORD not in r.output
    r = cli(tmp_path, "--profile", "shop", "connect", "--desktop", "--password-env", "QBTUI_TEST_UNSET_VAR")
    assert r.exit_code == 2 and "QBTUI_TEST_UNSET_VAR" in r.output


def test_qwc_file(tmp_path):
    desktop_profile(tmp_path)
    url = "https://books.example.com:8443/qbwc"
    r = cli(tmp_path, "--profile", "shop", "desktop", "qwc", "--url", url, "--every-min", "15")
    assert r.exit_code == 0, r.output
    root = ET.fromstring(r.stdout)
    assert root.tag == "QBWCXML"
    assert root.findtext("AppURL") == url  # exactly as given
    assert root.findtext("AppSupport") == "https://books.example.com:8443/qbwc/support"  # the same host
    assert root.findtext("AppName") == "qbtui (shop)" and root.findtext("UserName") == "qbtui"
    assert GUID.match(root.findtext("OwnerID")) and GUID.match(root.findtext("FileID"))
    assert root.findtext("OwnerID") != root.findtext("FileID")
    assert root.findtext("QBType") == "QBFS" and root.findtext("Scheduler/RunEveryNMinutes") == "15"
    assert PASSWORD not in r.output
    # the GUIDs are the profile's: the same file every time, even after the password changes
    cli(tmp_path, "--profile", "shop", "connect", "--desktop", "--password-env", PASSWORD_ENV,
        env={PASSWORD_ENV: "another-password"})
    again = cli(tmp_path, "--profile", "shop", "desktop", "qwc", "--url", url, "--every-min", "15")
    assert again.stdout == r.stdout
    plain = ET.fromstring(cli(tmp_path, "--profile", "shop", "desktop", "qwc", "--url", url).stdout)
    assert plain.find("Scheduler") is None


def test_qwc_urls(tmp_path):
    desktop_profile(tmp_path)
    for url in ("http://localhost:8766/qbwc", "http://127.0.0.1:8766/qbwc"):
        r = cli(tmp_path, "--profile", "shop", "desktop", "qwc", "--url", url)
        assert r.exit_code == 0 and ET.fromstring(r.stdout).findtext("AppURL") == url
    for url in ("http://books.example.com/qbwc", "ftp://localhost/qbwc", "books.example.com/qbwc"):
        r = cli(tmp_path, "--profile", "shop", "desktop", "qwc", "--url", url)
        assert r.exit_code == 2 and "https://" in r.output, url


def test_a_qbo_profile_has_no_qwc(tmp_path):
    r = cli(tmp_path, "--profile", "other", "desktop", "qwc", "--url", "http://localhost/qbwc")
    assert r.exit_code == 2 and "connect --desktop" in r.output


def test_serve_refuses_a_profile_that_is_not_a_desktop_one(tmp_path):
    r = cli(tmp_path, "--profile", "other", "desktop", "serve", "--port", "0")
    assert r.exit_code == 2 and "connect --desktop" in r.output
    desktop_profile(tmp_path)
    r = cli(tmp_path, "--profile", "shop", "desktop", "serve", "--certfile", __file__)
    assert r.exit_code == 2 and "--keyfile" in r.output
