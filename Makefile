# esup-saas — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := esup_saas.settings
HOST ?= 127.0.0.1
PORT ?= 8000
# The data folder (database, uploads, demo mail): ESUP_SAAS_VAR_DIR when set, else var/.
VAR_DIR := $(or $(ESUP_SAAS_VAR_DIR),var)
# What the demo's mails link to (the server started below).
DEMO_ENV := DJANGO_DEBUG=0 ESUP_SAAS_MAIL_DIR=$(VAR_DIR)/mail ESUP_SAAS_BASE_URL=$(or $(ESUP_SAAS_BASE_URL),http://$(HOST):$(PORT))

.PHONY: demo demo-reset test install lint format typecheck serve clean messages

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(PY) -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); sys.exit(0 if s.connect_ex(("$(HOST)", $(PORT))) else "Port $(PORT) is in use: run make demo PORT=8001 (or another free port).")'
	@mkdir -p $(VAR_DIR)/static
	$(DEMO_ENV) $(PY) -m esup_saas.cli migrate --noinput
	$(DEMO_ENV) $(PY) -m esup_saas.cli load_demo
	@echo ""
	@echo "  esup-saas is running on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "  Demo logins, password 'demo' for all:"
	@echo "    admin           consortium coordinator (superuser)   /admin/  /console/"
	@echo "    agent           ESUP technical coordination team     /console/"
	@echo "    agent-smsu      agent of the SMS-U provider          /console/"
	@echo "    agent-geforp    agent of the GEFORP provider         /console/"
	@echo "    pcu             PCU of Université de Toulon          /portal/"
	@echo "    pcu-larochelle  PCU of La Rochelle Université        /portal/"
	@echo "    enseignant-tln  teacher of Toulon, sends SMS           /sms/toulon/"
	@echo "    scolarite-tln   approves Toulon's SMS sends            /sms/toulon/"
	@echo "  SMS-U: console transport, SMS written to $(VAR_DIR)/sms-outbox.log (docs/sms.md)"
	@echo ""
	@# Background work without Redis (docs/background.md): tasks run eagerly after commit, the
	@# periodic jobs in `esup-saas periodic` beside the web server; mails go to $(VAR_DIR)/mail/.
	$(DEMO_ENV) $(PY) -m esup_saas.cli periodic & periodic=$$!; \
	trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) -m esup_saas.cli runserver --noreload $(HOST):$(PORT)

# Start the demo afresh: removes the demo database, uploaded files and mails (not .venv).
demo-reset:
	rm -rf $(VAR_DIR)/esup-saas.sqlite3 $(VAR_DIR)/media $(VAR_DIR)/mail
	@echo "Demo data removed: make demo loads it again."

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: the browser accessibility check will be skipped (apt-get install npm)"; fi

test: $(STAMP)
	-@$(MAKE) --no-print-directory node_modules/axe-core/axe.min.js
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

# Re-extract the UI's strings into the English catalog, then compile it (needs GNU gettext).
# Translate new or fuzzy entries in src/esup_saas/locale/en/LC_MESSAGES/django.po in between.
messages: $(STAMP)
	cd src/esup_saas && ../../$(VENV)/bin/django-admin makemessages -l en --ignore='*/migrations/*' --ignore='static/vendor/*'
	cd src/esup_saas && ../../$(VENV)/bin/django-admin compilemessages --ignore='static/*'

clean:
	rm -rf $(VENV) node_modules var/esup-saas.sqlite3 var/media var/static
