"""Benchmark portal_access against core Odoo 19 on the same data, in one run.

Started by ``make bench`` (``tools/pa bench``) inside the project's venv. It
creates two throw-away databases with identical generated data:

* ``module``: contacts, portal, auth_totp_portal, payment, payment_demo and
  portal_access;
* ``core``: the same modules without portal_access.

Then it measures, for each job, the median wall time of at least 5
repetitions and the number of SQL queries, module against core, and prints a
Markdown table (also written to ``bench/results.md`` and ``bench/results.json``).
Every repetition runs in a transaction that is rolled back, so each one starts
from the same data. Both databases are dropped at the end (``KEEP_DB=1`` keeps
them).

Variables: ``BENCH_SIZES`` (popup sizes, default ``100,1000,5000``),
``BENCH_GRANT_SIZES`` (default ``100,1000``), ``BENCH_REPEAT`` (default 5),
``BENCH_CORE_GRANT_SAMPLE`` (lines granted one at a time by core per
repetition, default 50: core takes about 75 ms per line, timing all 1,000
lines 5 times would take minutes and measures nothing more per contact).
"""

import contextlib
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import pa

sys.path.insert(0, str(pa.ODOO_SRC))

BASE_MODULES = ["contacts", "portal", "auth_totp_portal", "payment", "payment_demo"]
PORTAL_PASSWORD = "bench-portal-1"
PAGES = ["/my", "/my/account", "/my/security", "/my/payment_method"]

REPEAT = int(os.environ.get("BENCH_REPEAT") or 5)
SIZES = [
    int(s) for s in (os.environ.get("BENCH_SIZES") or "100,1000,5000").split(",") if s
]
GRANT_SIZES = [
    int(s) for s in os.environ.get("BENCH_GRANT_SIZES", "100,1000").split(",") if s
]
# The company whose contacts partly have users already (see generate_data)
USERS_COMPANY_SIZE, USERS_COMPANY_USERS = 1000, 300
# Page loads are cheap: more of them steady the median of a ~20 ms page.
PAGE_REPEAT = max(REPEAT, 15)
CORE_GRANT_SAMPLE = int(os.environ.get("BENCH_CORE_GRANT_SAMPLE") or 50)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------
# Databases and data
# --------------------------------------------------------------------------


def create_db(name, modules):
    log(f"creating database {name} with {', '.join(modules)}")
    rc = subprocess.call(
        pa.odoo_cmd(
            "-d",
            name,
            "-i",
            ",".join(modules),
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
            "--max-cron-threads=0",
        )
    )
    if rc:
        pa.fail(f"Could not create the benchmark database {name} (see the log above).")


def odoo_env_setup():
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", str(pa.odoo_config()), "--log-level=warn", "--max-cron-threads=0"]
    )
    return odoo


@contextlib.contextmanager
def env_for(db, rollback=True):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            yield env
        finally:
            if rollback:
                cr.rollback()
            else:
                cr.commit()


def generate_data(db):
    """Same data in both databases: companies of each size, portal users."""
    with env_for(db, rollback=False) as env:
        Partner = env["res.partner"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        nl = env.ref("base.nl")
        companies = {}
        for size in sorted(set(SIZES) | set(GRANT_SIZES)):
            company = Partner.create(
                {"name": f"Bench {size} B.V.", "is_company": True, "country_id": nl.id}
            )
            Partner.create(
                [
                    {
                        "name": f"Contact {size}-{i}",
                        "parent_id": company.id,
                        "type": "contact",
                        "email": f"contact{i}@bench{size}.example.com",
                    }
                    for i in range(size)
                ]
            )
            companies[size] = company.id
        # A company of 1,000 contacts of whom 300 already have a portal user
        # (the popup opened again after a grant): core compares each line with
        # every user found.
        with_users = Partner.create(
            {"name": "Bench users B.V.", "is_company": True, "country_id": nl.id}
        )
        contacts = Partner.create(
            [
                {
                    "name": f"User contact {i}",
                    "parent_id": with_users.id,
                    "email": f"contact{i}@benchusers.example.com",
                }
                for i in range(USERS_COMPANY_SIZE)
            ]
        )
        env["res.users"].with_context(no_reset_password=True).create(
            [
                {
                    "name": partner.name,
                    "login": partner.email,
                    "partner_id": partner.id,
                    "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
                }
                for partner in contacts[:USERS_COMPANY_USERS]
            ]
        )
        # A portal user for the page measurements, with a saved demo card.
        portal_partner = Partner.create(
            {
                "name": "Bench Portal",
                "email": "portal@bench.example.com",
                "street": "Damrak 1",
                "city": "Amsterdam",
                "zip": "1012 LG",
                "country_id": nl.id,
                "phone": "+31 20 000 0000",
            }
        )
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Portal",
                    "login": "portal@bench.example.com",
                    "password": PORTAL_PASSWORD,
                    "partner_id": portal_partner.id,
                    "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
                }
            )
        )
        provider = env.ref("payment.payment_provider_demo")
        env["payment.token"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                "partner_id": portal_partner.id,
                "payment_details": "4242",
                "provider_ref": "bench",
            }
        )
        # A second portal user with 2FA on, for the login 2FA step.
        totp_partner = Partner.create(
            {"name": "Bench TOTP", "email": "totp@bench.example.com"}
        )
        totp_user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench TOTP",
                    "login": "totp@bench.example.com",
                    "password": PORTAL_PASSWORD,
                    "partner_id": totp_partner.id,
                    "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
                }
            )
        )
        totp_user.sudo().totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        # Contact list: 80 contacts, half of them portal users.
        list_company = Partner.create({"name": "Bench List B.V.", "is_company": True})
        contacts = Partner.create(
            [
                {
                    "name": f"List {i}",
                    "parent_id": list_company.id,
                    "email": f"list{i}@benchlist.example.com",
                }
                for i in range(80)
            ]
        )
        env["res.users"].with_context(no_reset_password=True).create(
            [
                {
                    "name": p.name,
                    "login": p.email,
                    "partner_id": p.id,
                    "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
                }
                for p in contacts[:40]
            ]
        )
        return {
            "companies": companies,
            "with_users": with_users.id,
            "list_company": list_company.id,
            "user": user.id,
        }


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def measure(db, fn, repeat=REPEAT):
    """Run ``fn(env)`` ``repeat`` times, each in its own rolled-back transaction.

    ``fn`` may return a number of units (contacts) to report per-unit costs.
    :return: dict with median seconds, median queries and units
    """
    from odoo import sql_db

    times, queries, units = [], [], None
    for _ in range(repeat):
        with env_for(db) as env:
            env.invalidate_all()
            env.registry.clear_cache()
            q0 = sql_db.sql_counter
            t0 = time.perf_counter()
            units = fn(env)
            env.flush_all()
            times.append(time.perf_counter() - t0)
            queries.append(sql_db.sql_counter - q0)
    return {
        "seconds": statistics.median(times),
        "queries": int(statistics.median(queries)),
        "units": units,
    }


def wizard_spec(env):
    """The fields the popup's form view reads, as the web client asks for them."""
    arch = env["portal.wizard"].get_views([(False, "form")])["views"]["form"]["arch"]
    line_fields = env["portal.wizard.user"]._fields
    names = set(re.findall(r'<field name="([\w]+)"', arch))
    return {
        "welcome_message": {},
        "user_ids": {
            "fields": {n: {} for n in names if n in line_fields and n != "id"}
        },
    }


def open_popup(company_id, spec):
    """What the web client does: run the server action, read the form's fields.

    :param spec: the form's field spec (:func:`wizard_spec`), computed once
        outside the measure
    """

    def run(env):
        action = (
            env["portal.wizard"]
            .with_context(active_ids=[company_id], active_model="res.partner")
            .action_open_wizard()
        )
        wizard = env["portal.wizard"].browse(action["res_id"])
        wizard.web_read(spec)
        return len(wizard.user_ids)

    return run


class GrantRevoke:
    """One repetition grants a whole company then revokes it, each part timed
    on its own: the revoke acts on the users the grant just created, so no
    repetition pays for an extra grant."""

    def __init__(self):
        self.grant, self.revoke = [], []

    @staticmethod
    def _timed(env, fn):
        from odoo import sql_db

        q0, t0 = sql_db.sql_counter, time.perf_counter()
        fn()
        env.flush_all()
        return time.perf_counter() - t0, sql_db.sql_counter - q0

    def module(self, company_id):
        def run(env):
            wizard = (
                env["portal.wizard"].with_context(active_ids=[company_id]).create({})
            )
            count = len(wizard.user_ids)
            self.grant.append(self._timed(env, wizard.action_grant_all))
            wizard = (
                env["portal.wizard"].with_context(active_ids=[company_id]).create({})
            )
            self.revoke.append(self._timed(env, wizard.action_revoke_all))
            return count

        return run

    def core(self, company_id, sample):
        """Core's popup, one line at a time, on ``sample`` lines."""

        def run(env):
            wizard = (
                env["portal.wizard"].with_context(active_ids=[company_id]).create({})
            )
            lines = wizard.user_ids.filtered(lambda line: line.email_state == "ok")[
                :sample
            ]

            def grant():
                for line in lines:
                    line.action_grant_access()

            def revoke():
                for line in lines:
                    line.action_revoke_access()

            self.grant.append(self._timed(env, grant))
            self.revoke.append(self._timed(env, revoke))
            return len(lines)

        return run

    @staticmethod
    def summary(samples, units):
        return {
            "seconds": statistics.median(t for t, _q in samples),
            "queries": int(statistics.median(q for _t, q in samples)),
            "units": units,
        }


def measure_grant_revoke(db, run_factory, repeat=REPEAT):
    """Run grant-then-revoke ``repeat`` times in rolled-back transactions.

    :return: (grant measure, revoke measure)
    """
    runs = GrantRevoke()
    run = getattr(runs, run_factory[0])(*run_factory[1:])
    units = None
    for _ in range(repeat):
        with env_for(db) as env:
            env.invalidate_all()
            units = run(env)
    return runs.summary(runs.grant, units), runs.summary(runs.revoke, units)


def measure_inner(db, fn, repeat=REPEAT):
    """Like :func:`measure` but for functions timing an inner part themselves."""
    times, queries, units = [], [], None
    for _ in range(repeat):
        with env_for(db) as env:
            env.invalidate_all()
            units = fn(env)
            times.append(fn.elapsed)
            queries.append(fn.queries)
    return {
        "seconds": statistics.median(times),
        "queries": int(statistics.median(queries)),
        "units": units,
    }


def contact_list(list_company_id, portal_users):
    def run(env):
        # Make exactly ``portal_users`` of the 80 contacts portal users.
        partners = env["res.partner"].search(
            [("parent_id", "=", list_company_id)], order="id"
        )
        users = partners.with_context(active_test=False).user_ids
        users[portal_users:].write({"active": False})
        env.flush_all()
        env.invalidate_all()
        from odoo import sql_db

        views = env["res.partner"].get_views([(False, "list")])
        arch = views["views"]["list"]["arch"]
        names = set(re.findall(r'<field name="([\w]+)"', arch)) & set(
            env["res.partner"]._fields
        )
        spec = {n: {} for n in names}
        run.q0 = sql_db.sql_counter
        run.t0 = time.perf_counter()
        env["res.partner"].web_search_read(
            [("parent_id", "=", list_company_id)], spec, limit=80
        )
        run.elapsed = time.perf_counter() - run.t0
        run.queries = sql_db.sql_counter - run.q0
        return 80

    return run


# --------------------------------------------------------------------------
# Portal pages over real HTTP
# --------------------------------------------------------------------------

REQ_RE = re.compile(
    r'"(GET|POST) (?P<path>\S+) HTTP/[\d.]+" (?P<code>\d+) \S+ (?P<queries>\d+) '
)


class Server:
    """An odoo-bin server on one database, whose request log gives query counts."""

    def __init__(self, db):
        self.db = db
        self.port = pa.free_port()
        self.lines = []
        self.proc = subprocess.Popen(
            pa.odoo_cmd(
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--http-port={self.port}",
                "--workers=0",
                "--max-cron-threads=0",
                "--log-handler=werkzeug:INFO",
                "--log-level=warn",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"
        import requests

        for _ in range(120):
            try:
                if requests.get(self.url + "/web/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pa.fail(f"The benchmark server on {db} did not start.")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def last_query_count(self, path):
        deadline = time.time() + 5
        while time.time() < deadline:
            for line in reversed(self.lines):
                m = REQ_RE.search(line)
                if m and m["path"].split("?")[0] == path:
                    return int(m["queries"])
            time.sleep(0.05)
        return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def login(server, login_name):
    import requests

    session = requests.Session()
    page = session.get(server.url + "/web/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        server.url + "/web/login",
        data={
            "login": login_name,
            "password": PORTAL_PASSWORD,
            "csrf_token": token,
            "redirect": "/my",
        },
        allow_redirects=False,
    )
    return session


def get_page(server, session, path):
    """One GET; return its wall time and the server's query count for it."""
    server.lines.clear()
    t0 = time.perf_counter()
    response = session.get(server.url + path, allow_redirects=False)
    elapsed = time.perf_counter() - t0
    return elapsed, server.last_query_count(path) or 0, response.status_code


def measure_pages(dbs):
    """Every page on both servers, alternating module and core request by
    request so that both see the same machine load.

    :return: {side: {path: measure}}
    """
    servers = {side: Server(db) for side, db in dbs.items()}
    try:
        sessions = {
            side: {
                "portal": login(server, "portal@bench.example.com"),
                "totp": login(server, "totp@bench.example.com"),
            }
            for side, server in servers.items()
        }
        results = {side: {} for side in servers}
        for path in [*PAGES, "/web/login/totp"]:
            who = "totp" if path == "/web/login/totp" else "portal"
            samples = {side: [] for side in servers}
            for side, server in servers.items():
                get_page(server, sessions[side][who], path)  # warm-up
            for _ in range(PAGE_REPEAT):
                for side, server in servers.items():
                    samples[side].append(get_page(server, sessions[side][who], path))
            for side, values in samples.items():
                results[side][path] = {
                    "seconds": statistics.median(t for t, _q, _s in values),
                    "queries": int(statistics.median(q for _t, q, _s in values)),
                    "status": values[-1][2],
                }
        return results
    finally:
        for server in servers.values():
            server.stop()


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"


def machine():
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return (
        f"{cpus} cores, {model}, Python {platform.python_version()}, PostgreSQL local"
    )


def main():
    pa.setup()
    odoo_env_setup()
    run_id = uuid.uuid4().hex[:6]
    dbs = {"module": f"pa_bench_mod_{run_id}", "core": f"pa_bench_core_{run_id}"}
    keep = os.environ.get("KEEP_DB") == "1"
    started = time.time()
    results = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "repeat": REPEAT,
        "rows": [],
    }
    rows = results["rows"]
    try:
        create_db(dbs["module"], BASE_MODULES + [pa.MODULE])
        create_db(dbs["core"], BASE_MODULES)
        data = {}
        for side, db in dbs.items():
            log(f"generating data in {db}")
            data[side] = generate_data(db)

        specs = {}
        for side, db in dbs.items():
            with env_for(db) as env:
                specs[side] = wizard_spec(env)

        # 1. Open the popup
        for size in SIZES:
            log(f"popup on a company of {size} contacts")
            mod = measure(
                dbs["module"],
                open_popup(data["module"]["companies"][size], specs["module"]),
            )
            core = measure(
                dbs["core"], open_popup(data["core"]["companies"][size], specs["core"])
            )
            rows.append(
                {"measure": f"Open popup, {size} contacts", "module": mod, "core": core}
            )

        label = (
            f"Open popup, {USERS_COMPANY_SIZE} contacts, "
            f"{USERS_COMPANY_USERS} with a user"
        )
        log(label)
        mod = measure(
            dbs["module"], open_popup(data["module"]["with_users"], specs["module"])
        )
        core = measure(
            dbs["core"], open_popup(data["core"]["with_users"], specs["core"])
        )
        rows.append({"measure": label, "module": mod, "core": core})

        # 2. Grant all, 3. Revoke all
        for size in GRANT_SIZES:
            log(f"grant all, then revoke all, on {size} contacts")
            company_m = data["module"]["companies"][size]
            company_c = data["core"]["companies"][size]
            sample = min(size, CORE_GRANT_SAMPLE)
            note = f"core: one line at a time, {sample} lines timed"
            grant_m, revoke_m = measure_grant_revoke(
                dbs["module"], ("module", company_m)
            )
            grant_c, revoke_c = measure_grant_revoke(
                dbs["core"], ("core", company_c, sample)
            )
            rows.append(
                {
                    "measure": f"Grant all, {size} contacts",
                    "module": grant_m,
                    "core": grant_c,
                    "per_contact": True,
                    "note": note,
                }
            )
            rows.append(
                {
                    "measure": f"Revoke all, {size} contacts",
                    "module": revoke_m,
                    "core": revoke_c,
                    "per_contact": True,
                    "note": note,
                }
            )

        # 5. Contact list, 80 rows
        for portal_users in (0, 40):
            log(f"contact list, 80 contacts of which {portal_users} portal users")
            mod = measure_inner(
                dbs["module"],
                contact_list(data["module"]["list_company"], portal_users),
                repeat=PAGE_REPEAT,
            )
            core = measure_inner(
                dbs["core"],
                contact_list(data["core"]["list_company"], portal_users),
                repeat=PAGE_REPEAT,
            )
            rows.append(
                {
                    "measure": f"Contact list, 80 rows, {portal_users} portal users",
                    "module": mod,
                    "core": core,
                }
            )

        # 4. Portal pages over HTTP
        log("portal pages over HTTP")
        pages = measure_pages(dbs)
        for path in [*PAGES, "/web/login/totp"]:
            rows.append(
                {
                    "measure": f"GET {path}",
                    "module": pages["module"][path],
                    "core": pages["core"][path],
                }
            )
    finally:
        for db in dbs.values():
            if keep:
                log(f"kept database {db}")
            else:
                with contextlib.suppress(Exception):
                    pa.drop_db(db)
    results["duration_seconds"] = round(time.time() - started)
    report(results)


def report(results):
    header = (
        f"Benchmark of {results['date']} on {results['machine']}; "
        f"median of {results['repeat']} runs; total {results['duration_seconds']} s."
    )
    columns = ["Measure", "Module time", "Module queries", "Core time", "Core queries"]
    columns += ["Time ratio", "Note"]
    lines = [
        header,
        "",
        "| " + " | ".join(columns) + " |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    table_rows = []
    for row in results["rows"]:
        mod, core = row["module"], row["core"]
        if row.get("per_contact"):
            m_t, c_t = mod["seconds"] / mod["units"], core["seconds"] / core["units"]
            m_q, c_q = mod["queries"] / mod["units"], core["queries"] / core["units"]
            cells = [
                f"{ms(m_t)}/contact",
                f"{m_q:.1f}/contact",
                f"{ms(c_t)}/contact",
                f"{c_q:.1f}/contact",
                ratio(m_t, c_t),
            ]
        else:
            cells = [
                ms(mod["seconds"]),
                str(mod["queries"]),
                ms(core["seconds"]),
                str(core["queries"]),
                ratio(mod["seconds"], core["seconds"]),
            ]
        table_rows.append([row["measure"], *cells, row.get("note", "")])
        lines.append("| " + " | ".join(table_rows[-1]) + " |")
    table = "\n".join(lines)
    print("\n" + table + "\n")
    out = ROOT / "bench"
    out.mkdir(exist_ok=True)
    (out / "results.md").write_text(table + "\n")
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"written {out / 'results.md'} and {out / 'results.json'}")
    update_readme(header, columns, table_rows)


README_START = ".. bench-results-start"
README_END = ".. bench-results-end"


def update_readme(header, columns, table_rows):
    """Put the latest table in README.rst, between its two bench markers."""
    readme = ROOT / "README.rst"
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        log("README.rst has no bench markers: table not copied there")
        return
    body = [
        README_START,
        "",
        header,
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
    ]
    for row in [columns, *table_rows]:
        body.append(f"   * - {row[0]}")
        # An empty cell is a bare "-": no trailing blank for the lint to strip.
        body.extend(f"     - {cell}".rstrip() for cell in row[1:])
    body += ["", ""]
    before = text[: text.index(README_START)]
    after = text[text.index(README_END) :]
    readme.write_text(before + "\n".join(body) + after)
    log("copied the table into README.rst (section Performance)")


if __name__ == "__main__":
    main()
