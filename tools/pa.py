"""Developer commands of portal_access: run the demo server, run the tests.

Started by ``tools/pa`` inside the project's virtual environment; every
Makefile target ends here. Configuration comes from environment variables so
that ``make run DB=mydb PORT=8070`` and CI work the same way:

* ``ODOO_SRC`` Odoo 19.0 source tree (checked by ``tools/pa``).
* ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``: PostgreSQL, through libpq.
* ``DB`` (run): database name, default ``portal_access_demo``.
* ``PORT`` (run): HTTP port, default 8069. ``WORKERS``: Odoo worker processes.
* ``TEST_TAGS`` (test, test-core): narrow the run, Odoo ``--test-tags`` syntax.
* ``KEEP_DB=1`` (test, test-core): keep the throw-away database for debugging.
"""

import argparse
import getpass
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
# The checkout is linked into an addons directory *outside* of it: a link
# inside would loop (Odoo's translation export walks through links).
ADDONS_LINK_DIR = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "portal_access"
    / "addons"
    / hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
)
MODULE = "portal_access"
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo/19.0"))

# Demo database: the module with its demo data, and the demo payment provider
# so that /my/payment_method has something to save cards with.
RUN_MODULES = [MODULE, "payment_demo"]
TEST_MODULES = [MODULE, "payment_demo"]

# Odoo's own suites that must stay green with portal_access installed.
CORE_MODULES = [
    "portal",
    "auth_signup",
    "auth_totp",
    "auth_totp_portal",
    "auth_totp_mail",
    "auth_passkey_portal",
    "payment",
    "payment_demo",
]
# base's res.users tests (odoo/addons/base/tests/test_res_users.py)
CORE_BASE_CLASSES = [
    "TestUsers",
    "TestUsers2",
    "TestUsersTweaks",
    "TestUsersIdentitycheck",
]

LOG_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|TEST|\?) "
    r"(?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)
SUMMARY_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
# A skip in setUpClass is described as "setUpClass (module.Class)": the test
# name may hold a space.
SKIP_RE = re.compile(r"skipped (?P<test>.+?) : (?P<reason>.*)")
# First lines of the summaries the security suites log (what was tried, with
# what outcome); `make test` repeats them next to its result line.
CASES_RE = re.compile(r"^(Access matrix of |hostile input: |concurrency: )")


def fail(message, code=2):
    """Print a one-paragraph explanation and exit (no traceback)."""
    import textwrap

    sys.stderr.write("\n" + textwrap.fill(message, 88) + "\n\n")
    sys.exit(code)


# --------------------------------------------------------------------------
# Environment checks
# --------------------------------------------------------------------------


def pg_describe():
    return "host={} port={} user={}".format(
        os.environ.get("PGHOST", "(local socket)"),
        os.environ.get("PGPORT", "5432"),
        os.environ.get("PGUSER") or getpass.getuser(),
    )


def check_postgres():
    import psycopg2

    user = os.environ.get("PGUSER") or getpass.getuser()
    if user == "postgres":
        fail(
            "PostgreSQL role 'postgres' is refused by Odoo for security reasons. "
            "Set PGUSER to another role that may create databases (for example "
            "`createuser --createdb $USER` as postgres), then run again."
        )
    try:
        conn = psycopg2.connect(dbname="postgres", connect_timeout=5)
    except psycopg2.OperationalError as exc:
        # libpq's message may end with its own punctuation ("connections?").
        reason = " ".join(str(exc).split()).rstrip(".")
        if not reason.endswith("?"):
            reason += "."
        fail(
            f"Cannot connect to PostgreSQL ({pg_describe()}): {reason} "
            "Start PostgreSQL, or point the libpq variables PGHOST, PGPORT, "
            "PGUSER and PGPASSWORD at a server where that role may create "
            "databases, then run again."
        )
    with conn, conn.cursor() as cr:
        cr.execute(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        row = cr.fetchone()
    conn.close()
    if not row or not row[0]:
        fail(
            f"PostgreSQL role of {pg_describe()} may not create databases. Give "
            "it the right (ALTER ROLE ... CREATEDB) or set PGUSER to a role that "
            "has it."
        )


def pg_exec(sql, params=None, dbname="postgres", fetch=False):
    import psycopg2

    conn = psycopg2.connect(dbname=dbname, connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if fetch else None
    finally:
        conn.close()


def db_exists(name):
    return bool(
        pg_exec("SELECT 1 FROM pg_database WHERE datname = %s", [name], fetch=True)
    )


def module_state(db, module):
    try:
        rows = pg_exec(
            "SELECT state FROM ir_module_module WHERE name = %s",
            [module],
            dbname=db,
            fetch=True,
        )
    except Exception:  # noqa: BLE001 - no Odoo tables yet, or a broken database
        return None
    return rows[0][0] if rows else None


def drop_db(name):
    pg_exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
        fetch=True,
    )
    pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
    # Its attachments (Odoo's filestore under data_dir): 40 MB per test run.
    shutil.rmtree(BUILD / "filestore" / "filestore" / name, ignore_errors=True)


def addons_path():
    """Expose the checkout under the technical name ``portal_access``."""
    ADDONS_LINK_DIR.mkdir(parents=True, exist_ok=True)
    link = ADDONS_LINK_DIR / MODULE
    if link.is_symlink() and Path(os.readlink(link)) != ROOT:
        link.unlink()
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    extra = os.environ.get("ADDONS_PATH_EXTRA")
    paths = [ODOO_SRC / "odoo" / "addons", ODOO_SRC / "addons", ADDONS_LINK_DIR]
    return ",".join([str(p) for p in paths] + ([extra] if extra else []))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def odoo_config():
    """Write the Odoo configuration file shared by every command."""
    conf = BUILD / "odoo.conf"
    text = "[options]\naddons_path = {}\ndata_dir = {}\nhttp_interface = {}\n".format(
        addons_path(),
        BUILD / "filestore",
        os.environ.get("HTTP_INTERFACE") or "127.0.0.1",
    )
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    return conf


def odoo_cmd(*args, command=None):
    """odoo-bin command line; ``command`` is a sub-command such as ``module``."""
    prefix = [sys.executable, str(ODOO_SRC / "odoo-bin")]
    if command:
        prefix += command
    return [*prefix, "-c", str(odoo_config()), *args]


def module_hash():
    """Hash of the add-on's files, to upgrade the demo database when they change."""
    digest = hashlib.sha256()
    for sub in (
        "",
        "models",
        "wizards",
        "controllers",
        "views",
        "security",
        "data",
        "demo",
        "static",
        "i18n",
    ):
        base = ROOT / sub
        if not base.is_dir():
            continue
        files = sorted(base.glob("*.*") if not sub else base.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def setup():
    check_postgres()
    BUILD.mkdir(exist_ok=True)
    return addons_path()


# --------------------------------------------------------------------------
# make run
# --------------------------------------------------------------------------

DEMO_LOGINS = [
    ("Administrator (back office)", "admin", "admin"),
    (
        "Portal user of Acme Corp, with a saved card",
        "jane.doe@acme.example.com",
        "portal-demo",
    ),
    (
        "Portal user of Globex (another customer)",
        "lisa.ray@globex.example.com",
        "portal-demo",
    ),
]


def cmd_run(args):
    setup()
    db = os.environ.get("DB") or "portal_access_demo"
    port = os.environ.get("PORT") or "8069"
    workers = os.environ.get("WORKERS") or "0"
    stamp = BUILD / f"{db}.module-hash"
    current = module_hash()

    state = module_state(db, MODULE) if db_exists(db) else None
    if state != "installed":
        print(
            f"Creating database {db!r} with demo data, {', '.join(RUN_MODULES)} "
            "(about a minute) ..."
        )
        if db_exists(db) and state is None:
            fail(
                f"Database {db!r} exists but is not an Odoo database (or cannot be "
                f"read). Choose another name with DB=..., or drop it (dropdb {db}) and "
                "run again."
            )
        rc = subprocess.call(
            odoo_cmd(
                "-d",
                db,
                "-i",
                ",".join(RUN_MODULES),
                "--with-demo",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            )
        )
        if rc:
            fail(f"Installing the module into {db!r} failed (see the log above).")
        stamp.write_text(current)
    elif not stamp.exists() or stamp.read_text() != current:
        print(
            f"The module changed since {db!r} was last updated: upgrading {MODULE} ..."
        )
        rc = subprocess.call(
            odoo_cmd(
                "-d",
                db,
                "-u",
                MODULE,
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            )
        )
        if rc:
            fail(f"Upgrading the module in {db!r} failed (see the log above).")
        stamp.write_text(current)

    url = f"http://localhost:{port}"
    print("\n" + "=" * 72)
    print(f"portal_access demo: {url}/web/login   (database {db})")
    for label, login, password in DEMO_LOGINS:
        print(f"  {label:<46} {login} / {password}")
    print(f"Customer portal: {url}/my    Stop with Ctrl+C.")
    print("=" * 72 + "\n", flush=True)
    cmd = odoo_cmd(
        "-d",
        db,
        f"--db-filter=^{re.escape(db)}$",
        f"--http-port={port}",
        f"--workers={workers}",
    )
    if int(workers) > 0:
        cmd.append(f"--gevent-port={int(port) + 3}")
    os.execv(cmd[0], cmd)


# --------------------------------------------------------------------------
# make test / make test-core
# --------------------------------------------------------------------------


class TestRun:
    """Runs Odoo with tests enabled, streams its log and counts the results."""

    def __init__(self, label, strict_log=False, skips_fail=False):
        """:param strict_log: every WARNING, ERROR or CRITICAL line fails the
        run, whoever logs it (OCA's checklog), not only the module's.
        :param skips_fail: every skipped test fails the run (the run installs
        all its tests need), not only browser tests skipped for want of a
        browser."""
        self.label = label
        self.strict_log = strict_log
        self.skips_fail = skips_fail
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.log_path = BUILD / f"{label}-{stamp}.log"
        self.run = self.failed = self.errors = self.skipped = 0
        self.extra_failures = []  # (name, reason) of checks outside Odoo's runner
        self.extra_passed = 0
        self.bad_skips = []
        # WARNING/ERROR lines logged by (or about) the module, or whose
        # traceback runs through its code, outside of test failures: OCA's CI
        # refuses them, so does `make test`.
        self.module_log_lines = []
        self.case_summaries = []

    def odoo(self, args, echo_level="WARNING"):
        """Run one odoo-bin process; return its exit code and its summary line."""
        summary = None
        levels = ["DEBUG", "INFO", "TEST", "WARNING", "ERROR", "CRITICAL"]
        threshold = levels.index(echo_level)
        echo = False
        with open(self.log_path, "a", encoding="utf-8") as log:
            proc = subprocess.Popen(
                odoo_cmd(*args),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
            # The WARNING+ record whose continuation lines (a traceback) are
            # being read, unless it was already counted.
            pending = None
            for line in proc.stdout:
                log.write(line)
                m = LOG_RE.match(line)
                if not m and pending and f"/{MODULE}/" in line:
                    # A traceback through the module's files (a server error
                    # in one of its routes, logged by odoo.http).
                    self.module_log_lines.append(pending)
                    pending = None
                if m:
                    pending = None
                    level = m["level"] if m["level"] in levels else "INFO"
                    echo = (
                        levels.index(level) >= threshold
                        or m["logger"] == "odoo.tests.stats"
                    )
                    msg = m["msg"]
                    s = SUMMARY_RE.search(msg)
                    if s:
                        summary = s
                        echo = True
                    if m["logger"].startswith(
                        f"odoo.addons.{MODULE}.tests"
                    ) and CASES_RE.match(msg):
                        self.case_summaries.append(msg.rstrip(":").strip())
                    k = SKIP_RE.search(msg)
                    if k and m["logger"] != "odoo.tests.stats":
                        self.skipped += 1
                        if self.skips_fail or re.search(
                            r"chrom|websocket|browser", k["reason"], re.IGNORECASE
                        ):
                            self.bad_skips.append((k["test"], k["reason"]))
                    if (
                        level in ("WARNING", "ERROR", "CRITICAL")
                        # test failures are counted by Odoo's own summary
                        and not re.match(r"(FAIL|ERROR): ", msg)
                        and "=" * 20 not in msg
                    ):
                        if (
                            self.strict_log
                            or m["logger"].startswith(f"odoo.addons.{MODULE}")
                            # its files, XML ids and models; not the database
                            # name, which starts with the module's name
                            or re.search(rf"\b{MODULE}[./]", msg)
                        ):
                            self.module_log_lines.append(line.strip()[:300])
                        else:
                            pending = line.strip()[:300]
                if echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            rc = proc.wait()
        if summary:
            self.run += int(summary["run"])
            self.failed += int(summary["failed"])
            self.errors += int(summary["errors"])
        return rc, summary

    def check_suite(self, name, rc, summary):
        """The odoo-bin run of a suite ended normally and reported results."""
        reason = f"odoo-bin exited with {rc}"
        if summary is None:
            reason += " before reporting test results"
        self.check(name, rc == 0 and summary is not None, reason)

    def check(self, name, ok, reason=""):
        if ok:
            self.extra_passed += 1
            print(f"PASS {name}")
        else:
            self.extra_failures.append((name, reason))
            print(f"FAIL {name}: {reason}")

    def finish(self):
        failed = (
            self.failed + self.errors + len(self.extra_failures) + len(self.bad_skips)
        )
        skipped = self.skipped - len(self.bad_skips)
        # Failed sub-tests count in Odoo's "failed" but not in its "tests".
        passed = (
            max(self.run - self.failed - self.errors - self.skipped, 0)
            + self.extra_passed
        )
        problems = [
            f"{test} was skipped ({reason}): the tests of this run must all run"
            for test, reason in self.bad_skips
        ]
        problems += [f"{name}: {reason}" for name, reason in self.extra_failures]
        if problems:
            print("Failures outside Odoo's test runner:")
            for problem in problems:
                print(f"  - {problem}")
        if self.case_summaries:
            print("Cases tried by the security suites (tables in the full log):")
            for summary in self.case_summaries:
                print(f"  - {summary}")
        print(f"Full log: {self.log_path}")
        checks = self.extra_passed + len(self.extra_failures)
        print(
            f"Counted: {self.run} test methods run by Odoo (its per-module "
            f"'odoo.tests.stats' lines count sub-tests too) and {checks} checks of "
            "this script (install, clean log, uninstall...)."
        )
        line = f"{passed} passed, {failed} failed"
        if skipped:
            line += f", {skipped} skipped"
        print(line, flush=True)
        return 1 if failed or (passed == 0) else 0


def suite_args(tags):
    """odoo-bin options of a test run: the tests of ``tags``, one process,
    a free HTTP port for the HttpCase and tour tests, no cron."""
    return [
        "--test-enable",
        f"--test-tags={tags}",
        "--stop-after-init",
        f"--http-port={free_port()}",
        "--workers=0",
        "--max-cron-threads=0",
    ]


def check_browser(run):
    """Browser tours must run, not be skipped: make sure Chromium is there."""
    try:
        import websocket  # noqa: F401
    except ImportError:
        run.check(
            "websocket-client is importable",
            False,
            "pip install websocket-client into the venv",
        )
    found = any(
        shutil.which(b)
        for b in (
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        )
    )
    if not found:
        run.check(
            "Chromium is installed",
            False,
            "install Debian's chromium package (apt-get install chromium); "
            ".ci/run does it",
        )


def throwaway_db(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def cmd_test(args):
    setup()
    # The module's run installs payment_demo and needs Chromium: a skipped
    # test there is a check not made.
    run = TestRun("test", strict_log=True, skips_fail=True)
    check_browser(run)
    db = throwaway_db("portal_access_test")
    tags = os.environ.get("TEST_TAGS") or f"/{MODULE}"
    keep = os.environ.get("KEEP_DB") == "1"
    print(
        f"Testing {MODULE} in throw-away database {db} (log: {run.log_path})",
        flush=True,
    )
    try:
        rc, summary = run.odoo(
            [
                "-d",
                db,
                "-i",
                ",".join(TEST_MODULES),
                "--with-demo",
                *suite_args(tags),
            ]
        )
        run.check_suite("install with demo data and run the suite", rc, summary)
        run.check(
            "no WARNING or ERROR log line",
            not run.module_log_lines,
            f"{len(run.module_log_lines)} line(s), first: "
            + (run.module_log_lines[0] if run.module_log_lines else ""),
        )
        if rc == 0 and not os.environ.get("TEST_TAGS"):
            uninstall_check(run, db)
    finally:
        if keep:
            print(f"Kept database {db} (KEEP_DB=1).")
        else:
            drop_db(db)
    return run.finish()


def uninstall_check(run, db):
    """Uninstall the module and check that it leaves nothing behind."""
    proc = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
        odoo_cmd("-d", db, MODULE, command=["module", "uninstall"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    with open(run.log_path, "a", encoding="utf-8") as log:
        log.write(proc.stdout)
    rc = proc.returncode
    errors = [
        m.group(0)
        for m in map(LOG_RE.match, proc.stdout.splitlines())
        if m and m["level"] in ("ERROR", "CRITICAL")
    ]
    run.check("uninstall logs no error", not errors, "; ".join(errors[:3]))
    state = module_state(db, MODULE)
    run.check(
        "module uninstalls cleanly",
        rc == 0 and state == "uninstalled",
        f"exit code {rc}, module state {state!r}",
    )
    leftovers = pg_exec(
        "SELECT model || ',' || name FROM ir_model_data WHERE module = %s",
        [MODULE],
        dbname=db,
        fetch=True,
    )
    fields = pg_exec(
        "SELECT f.model || '.' || f.name FROM ir_model_fields f "
        "JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id "
        "WHERE d.module = %s",
        [MODULE],
        dbname=db,
        fetch=True,
    )
    run.check(
        "uninstall leaves no records of the module",
        not leftovers and not fields,
        f"left behind: {[r[0] for r in leftovers + fields][:10]}",
    )


def cmd_test_core(args):
    setup()
    run = TestRun("test-core")
    check_browser(run)
    db = throwaway_db("portal_access_core")
    keep = os.environ.get("KEEP_DB") == "1"
    modules = [MODULE, *CORE_MODULES]
    tags = os.environ.get("TEST_TAGS") or ",".join(
        [f"/{m}" for m in CORE_MODULES] + [f"/base:{c}" for c in CORE_BASE_CLASSES]
    )
    print(
        f"Core suites with {MODULE} installed, database {db} (log: {run.log_path})",
        flush=True,
    )
    try:
        # 1. Install everything, our module included, without running tests.
        rc, _ = run.odoo(
            [
                "-d",
                db,
                "-i",
                ",".join(modules),
                "--stop-after-init",
                "--log-level=warn",
                "--no-http",
                "--max-cron-threads=0",
            ]
        )
        run.check(
            f"install {', '.join(modules)}", rc == 0, f"odoo-bin exited with {rc}"
        )
        if rc == 0:
            # 2. Run core's suites in a database where portal_access is installed and
            #    loaded: at-install tests run during the update of their module,
            #    post-install tests once every module (ours included) is loaded.
            rc, summary = run.odoo(
                ["-d", db, "-u", ",".join(CORE_MODULES + ["base"]), *suite_args(tags)]
            )
            run.check_suite("core suites ran to the end", rc, summary)
            run.check(
                f"no WARNING or ERROR log line from {MODULE}",
                not run.module_log_lines,
                f"{len(run.module_log_lines)} line(s), first: "
                + (run.module_log_lines[0] if run.module_log_lines else ""),
            )
    finally:
        if keep:
            print(f"Kept database {db} (KEEP_DB=1).")
        else:
            drop_db(db)
    return run.finish()


LINT_VENV = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "portal_access"
    / "lint-venv"
)


def cmd_lint(args):
    """Run the OCA lint stack of .pre-commit-config.yaml on every file."""
    pre_commit = LINT_VENV / "bin" / "pre-commit"
    if not pre_commit.exists():
        print(
            f"Creating the lint environment {LINT_VENV} (once per machine) ...",
            flush=True,
        )
        subprocess.check_call([sys.executable, "-m", "venv", str(LINT_VENV)])
        subprocess.check_call(
            [str(LINT_VENV / "bin" / "pip"), "install", "-q", "pre-commit==4.7.0"]
        )
    if not shutil.which("node"):
        fail(
            "prettier needs Node.js: install it (Debian: apt-get install nodejs "
            "npm), then run again."
        )
    return subprocess.call(
        [
            str(pre_commit),
            "run",
            "--all-files",
            "--show-diff-on-failure",
            "--color=never",
        ],
        cwd=ROOT,
    )


def cmd_i18n(args):
    """Regenerate i18n/portal_access.pot from the code; merge it into the .po files."""
    import polib

    setup()
    db = throwaway_db("portal_access_i18n")
    pot = ROOT / "i18n" / f"{MODULE}.pot"
    pot.parent.mkdir(exist_ok=True)
    try:
        rc = subprocess.call(
            odoo_cmd(
                "-d",
                db,
                "-i",
                MODULE,
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            )
        )
        if rc:
            fail("Installing the module for the translation export failed (see above).")
        rc = subprocess.call(
            odoo_cmd("-d", db, "-o", str(pot), MODULE, command=["i18n", "export"])
        )
        if rc:
            fail("Exporting the translation template failed (see above).")
    finally:
        drop_db(db)
    template = polib.pofile(str(pot))
    print(f"{pot.relative_to(ROOT)}: {len(template)} terms")
    for po_path in sorted(pot.parent.glob("*.po")):
        po = polib.pofile(str(po_path))
        po.merge(template)
        # As OCA's po-pretty-format check (make lint) wants it: sorted by msgid.
        po.sort(key=lambda entry: entry.msgid)
        po.save(str(po_path))
        print(
            f"{po_path.relative_to(ROOT)}: {po.percent_translated()}% translated, "
            f"{len(po.untranslated_entries())} untranslated, "
            f"{len(po.fuzzy_entries())} fuzzy"
        )
        # An empty msgstr is also how a term that reads the same in the
        # language is kept (OCA's po-pretty-format empties such translations).
        untranslated = [entry.msgid for entry in po.untranslated_entries()]
        if untranslated and len(untranslated) <= 10:
            print(f"  untranslated: {' | '.join(untranslated)}")
    return 0


def cmd_screenshots(args):
    import screenshots

    return screenshots.main()


def cmd_wheel(args):
    """Build the wheel with whool, then prove it: install it (without its
    dependencies: Odoo runs from ODOO_SRC here) into a scratch directory that
    is the only place Odoo finds the module, and install the module from it."""
    import tempfile
    import zipfile

    setup()
    dist = ROOT / "dist"
    dist.mkdir(exist_ok=True)
    # whool names the addon after its directory (pip resolves links): build
    # from a copy of the tracked files in a directory named portal_access,
    # whatever the checkout's directory is called.
    with tempfile.TemporaryDirectory(prefix="pa-build-") as tmp:
        source = Path(tmp) / MODULE
        files = subprocess.check_output(
            ["git", "ls-files"], cwd=ROOT, text=True
        ).split()
        for name in files:
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        rc = subprocess.call(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                "-w",
                str(dist),
                str(source),
            ]
        )
    if rc:
        fail("Building the wheel failed (see pip's output above).")
    wheel = max(
        dist.glob("odoo_addon_portal_access-*.whl"), key=lambda p: p.stat().st_mtime
    )
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    if f"odoo/addons/{MODULE}/__manifest__.py" not in names:
        fail(f"{wheel.name} holds no odoo/addons/{MODULE}/__manifest__.py.")
    print(f"Built {wheel.relative_to(ROOT)} ({len(names)} files)")
    db = throwaway_db("portal_access_wheel")
    with tempfile.TemporaryDirectory(prefix="pa-wheel-") as target:
        rc = subprocess.call(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                target,
                str(wheel),
            ]
        )
        if rc:
            fail("Installing the wheel failed (see pip's output above).")
        # Odoo's source and the wheel's site directory, no link to the checkout.
        env = dict(os.environ, PYTHONPATH=target)
        addons = f"{ODOO_SRC / 'odoo' / 'addons'},{ODOO_SRC / 'addons'}"
        try:
            rc = subprocess.call(
                [
                    sys.executable,
                    str(ODOO_SRC / "odoo-bin"),
                    f"--addons-path={addons}",
                    "-d",
                    db,
                    "-i",
                    MODULE,
                    "--stop-after-init",
                    "--no-http",
                    "--log-level=warn",
                    f"--data-dir={BUILD / 'filestore'}",
                ],
                env=env,
            )
            state = module_state(db, MODULE)
        finally:
            drop_db(db)
    if rc or state != "installed":
        fail(f"Odoo could not install {MODULE} from the wheel (state {state!r}).")
    print(f"{MODULE} installs from the wheel alone: OK")
    return 0


def cmd_bench(args):
    import bench

    bench.main()


COMMANDS = {
    "bench": cmd_bench,
    "i18n": cmd_i18n,
    "lint": cmd_lint,
    "run": cmd_run,
    "screenshots": cmd_screenshots,
    "test": cmd_test,
    "test-core": cmd_test_core,
    "wheel": cmd_wheel,
}


def main():
    parser = argparse.ArgumentParser(
        prog="pa",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=sorted(COMMANDS))
    args, rest = parser.parse_known_args()
    args.rest = rest
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    sys.exit(COMMANDS[args.command](args) or 0)


if __name__ == "__main__":
    main()
