"""Take the README's screenshots from a demo database with headless Chromium.

Started by ``make screenshots`` (``tools/pa screenshots``): creates a
throw-away database with demo data (or uses ``DB`` when set and installed),
serves it, signs in as the demo users, clicks through the flows and writes
PNG files into ``static/description/``.
"""

import re
import sys
import time
from pathlib import Path

import pyotp
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import pa
from chrome import Chrome

import bench

OUT = ROOT / "static" / "description"
PORTAL_LOGIN, PORTAL_PASSWORD = "jane.doe@acme.example.com", "portal-demo"


def log(msg):
    print(f"[screenshots {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def login(url, login_name, password):
    session = requests.Session()
    page = session.get(url + "/web/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = session.post(
        url + "/web/login",
        data={"login": login_name, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 303:
        pa.fail(f"Could not sign in as {login_name} on {url}.")
    return session.cookies["session_id"]


def type_and_submit(chrome, field, value):
    """Fill the input named ``field`` and submit its form, as a person would."""
    chrome.evaluate(
        f"""(() => {{
            const input = document.querySelector('input[name="{field}"]');
            input.value = {value!r};
            input.form.submit();
        }})()"""
    )
    time.sleep(1)


def shoot_backend(chrome, url):
    acme_id = chrome.evaluate(
        """fetch('/web/dataset/call_kw/res.partner/search', {
            method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({jsonrpc: '2.0', method: 'call', params: {
                model: 'res.partner', method: 'search',
                args: [[['name', '=', 'Acme Corp']]], kwargs: {limit: 1}}})
        }).then(r => r.json()).then(r => r.result[0])"""
    )
    # The contact list, on Acme's people, with the access badges.
    chrome.goto(url + "/odoo/contacts?view_type=list", ".o_list_renderer")
    chrome.evaluate(
        """(() => {
            const input = document.querySelector('.o_searchview_input');
            input.value = 'Acme';
            input.dispatchEvent(new Event('input', {bubbles: true}));
        })()"""
    )
    time.sleep(0.8)
    chrome.evaluate(
        """document.querySelector('.o_searchview_input').dispatchEvent(
            new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))"""
    )
    time.sleep(1.5)
    chrome.screenshot(OUT / "contact_list.png")
    log("contact_list.png")
    # The popup on the company, after "Grant all".
    chrome.goto(f"{url}/odoo/contacts/{acme_id}", ".o_form_view")
    chrome.click("button[name='action_portal_access_open_wizard']")
    chrome.wait_for(".modal .o_list_renderer")
    chrome.click(".modal button[name='action_grant_all']")
    time.sleep(2)
    chrome.wait_for(".modal .o_list_renderer")
    chrome.screenshot(OUT / "portal_access_popup.png")
    log("portal_access_popup.png")


def shoot_portal(chrome, url):
    chrome.goto(url + "/my", ".o_portal_my_home")
    # The page's script asks for the document counters, then removes its
    # spinner.
    chrome.wait_for(".o_portal_my_home:not(:has(.o_portal_doc_spinner))")
    chrome.screenshot(OUT / "portal_dashboard.png")
    log("portal_dashboard.png")
    chrome.goto(url + "/my/payment_method", "main")
    chrome.screenshot(OUT / "portal_payment_methods.png")
    log("portal_payment_methods.png")
    # Turning on two-factor authentication, as a customer without JavaScript
    # tricks: password, QR code page, recovery codes.
    chrome.goto(url + "/my/security/2fa/enable", "input[name='password']")
    type_and_submit(chrome, "password", PORTAL_PASSWORD)
    chrome.wait_for("[name='secret']")
    chrome.screenshot(OUT / "portal_security_qr.png")
    log("portal_security_qr.png")
    secret = chrome.evaluate(
        "document.querySelector('[name=\"secret\"]').textContent.replace(/\\s/g, '')"
    )
    type_and_submit(chrome, "code", pyotp.TOTP(secret).now())
    chrome.wait_for(".o_portal_access_recovery_code")
    chrome.screenshot(OUT / "portal_recovery_codes.png")
    log("portal_recovery_codes.png")
    chrome.goto(url + "/my/security", "main")
    chrome.screenshot(OUT / "portal_security.png", full_page=True)
    log("portal_security.png")


def main():
    pa.setup()
    OUT.mkdir(parents=True, exist_ok=True)
    db = pa.os.environ.get("DB")
    own_db = not db
    if own_db:
        db = pa.throwaway_db("portal_access_shots")
        log(f"creating database {db} with demo data")
        rc = pa.subprocess.call(
            pa.odoo_cmd(
                "-d",
                db,
                "-i",
                ",".join(pa.RUN_MODULES),
                "--with-demo",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
                "--max-cron-threads=0",
            )
        )
        if rc:
            pa.fail("Creating the screenshot database failed (see above).")
    server = bench.Server(db)
    chrome = None
    try:
        chrome = Chrome(width=1280, height=820)
        chrome.set_cookie(server.url, "session_id", login(server.url, "admin", "admin"))
        chrome.goto(server.url + "/odoo", ".o_web_client")
        shoot_backend(chrome, server.url)
        chrome.close()
        chrome = Chrome(width=1280, height=820)
        chrome.set_cookie(
            server.url, "session_id", login(server.url, PORTAL_LOGIN, PORTAL_PASSWORD)
        )
        shoot_portal(chrome, server.url)
    finally:
        if chrome:
            chrome.close()
        server.stop()
        if own_db:
            pa.drop_db(db)
    log(f"screenshots written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    main()
