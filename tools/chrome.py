"""A small Chrome DevTools Protocol client for headless Chromium screenshots.

Used by ``tools/screenshots.py``; needs Debian's ``chromium`` and the
``websocket-client`` package (both already needed by the browser tours).
"""

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--remote-debugging-port=0",
]


class ChromeError(Exception):
    pass


class Chrome:
    def __init__(self, width=1280, height=860):
        binary = next(
            (
                shutil.which(b)
                for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)
            ),
            None,
        )
        if not binary:
            raise ChromeError("Chromium not found: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="pa-chrome-")
        self.proc = subprocess.Popen(
            [
                binary,
                *CHROME_FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        else:
            self.close()
            raise ChromeError("Chromium did not start")
        port = int(port_file.read_text().split()[0])
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            target = json.load(response)
        self.ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=30
        )
        self._id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def send(self, method, params=None):
        self._id += 1
        self.ws.send(
            json.dumps({"id": self._id, "method": method, "params": params or {}})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise ChromeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", {"url": url, "name": name, "value": value})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise ChromeError(f"JavaScript error: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        check = f"!!document.querySelector({json.dumps(selector)})"
        while time.time() < deadline:
            try:
                if self.evaluate(f"document.readyState === 'complete' && {check}"):
                    return
            except ChromeError:
                pass
            time.sleep(0.2)
        raise ChromeError(
            f"timed out waiting for {selector!r} on {self.evaluate('location.href')}"
        )

    def goto(self, url, wait_selector="body"):
        self.send("Page.navigate", {"url": url})
        time.sleep(0.3)
        self.wait_for(wait_selector)

    def click(self, selector, text=None):
        """Click the first element matching ``selector`` (and containing ``text``)."""
        found = self.evaluate(
            f"""(() => {{
                const els = [...document.querySelectorAll({json.dumps(selector)})];
                const el = els.find(e => {json.dumps(text)} === null
                    || e.textContent.includes({json.dumps(text)}));
                if (!el) return false;
                el.click();
                return true;
            }})()"""
        )
        if not found:
            raise ChromeError(f"nothing to click for {selector!r} {text!r}")

    def screenshot(self, path, full_page=False):
        time.sleep(0.6)  # let transitions and fonts settle
        params = {"format": "png", "captureBeyondViewport": full_page}
        data = self.send("Page.captureScreenshot", params)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        with contextlib.suppress(Exception):  # closing anyway
            getattr(self, "ws", None) and self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
