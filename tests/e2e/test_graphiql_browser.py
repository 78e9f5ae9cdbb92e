"""GraphiQL in a real headless Chromium: `contact-gateway serve`, type a query, run it.

Needs Debian's chromium and chromium-driver (`.ci/run` installs them). Without them
the test is skipped on a developer machine and fails under CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        pytest.fail("CI must install chromium and chromium-driver", pytrace=False)
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def served_gateway(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_GATEWAY_")}
    env["CONTACT_GATEWAY_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if b"_sandbox/requests" in line:
                break
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = Options()
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_type_and_run_a_query_in_graphiql(served_gateway: str, browser: webdriver.Chrome) -> None:
    browser.get(f"{served_gateway}/graphql")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror"))
    tabs = browser.find_element(By.CSS_SELECTOR, ".graphiql-tabs").text
    assert "SparkContacts" in tabs, "example queries are preloaded"
    browser.find_element(By.CSS_SELECTOR, ".graphiql-tab-add").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".graphiql-tab")) >= 4)
    browser.find_element(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror").click()
    editor = browser.find_element(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror textarea")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys("{ contacts(provider: SPARK, first: 2) { totalCount nodes { displayName")
    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    wait.until(
        lambda d: '"totalCount": 300' in d.find_element(By.CSS_SELECTOR, ".graphiql-response").text
    )
    response = browser.find_element(By.CSS_SELECTOR, ".graphiql-response").text
    assert '"displayName"' in response
    assert '"errors"' not in response
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert loaded
    assert all(url.startswith(served_gateway) for url in loaded), "no CDN, no other host"
