# portal_access developer commands. Every target goes through tools/pa, which
# prepares Odoo's source, a shared virtual environment and PostgreSQL checks.
# Variables: ODOO_SRC, PYTHON, PA_VENV, PGHOST/PGPORT/PGUSER/PGPASSWORD,
# DB, PORT, WORKERS (run), TEST_TAGS, KEEP_DB (test, test-core).

PA := ./tools/pa

.PHONY: help run test test-core bench lint i18n screenshots wheel
help:
	@echo "make run        serve the demo database on http://localhost:$${PORT:-8069}"
	@echo "make test       run the module's own tests in a throw-away database"
	@echo "make test-core  run Odoo's suites of the modules we extend, with ours installed"
	@echo "make bench      measure the module against core Odoo on the same data"
	@echo "make lint       the OCA lint stack (ruff, pylint-odoo, prettier)"
	@echo "make i18n       regenerate i18n/portal_access.pot and merge it into i18n/*.po"
	@echo "make screenshots  retake static/description/*.png with headless Chromium"
	@echo "make wheel      build dist/odoo_addon_portal_access-*.whl (whool) and check it installs"

run:
	@$(PA) run

test:
	@$(PA) test

test-core:
	@$(PA) test-core

bench:
	@$(PA) bench

lint:
	@$(PA) lint

i18n:
	@$(PA) i18n

screenshots:
	@$(PA) screenshots

wheel:
	@$(PA) wheel
