# OSMD Billing - developer entry points. See README.md.
#   make demo   build (or reuse) the demo database and run Odoo on 127.0.0.1:8069
#   make test   lint + pytest tests/ + the Odoo tests of every addon
SHELL := /bin/bash
.DEFAULT_GOAL := help

RESET ?= 0
DETACH ?= 0
UPDATE ?= 0

.PHONY: help setup demo stop test lint pg-stop clean

help:
	@echo "make demo [RESET=1] [DETACH=1] [UPDATE=1]  build/reuse DB osmd_demo and run Odoo on 127.0.0.1:8069"
	@echo "make stop                                  stop a demo started with DETACH=1"
	@echo "make test                                  lint, pytest tests/, Odoo tests (fresh DB); last line 'N passed, M failed'"
	@echo "make lint                                  check-only lint (ruff, pylint-odoo, OCA checks)"
	@echo "make setup                                 .venv, Odoo 19.0 source and requirements, PostgreSQL role"
	@echo "make pg-stop                               stop the private PostgreSQL cluster (var/pg), if one was started"
	@echo "make clean                                 remove .venv and var/ (databases are kept)"

setup:
	bash scripts/setup.sh

demo:
	@RESET=$(RESET) DETACH=$(DETACH) UPDATE=$(UPDATE) bash scripts/demo.sh

stop:
	bash scripts/demo.sh --stop

test:
	@bash scripts/test.sh

lint:
	OSMD_SKIP_PG=1 bash scripts/setup.sh
	bash scripts/lint.sh

pg-stop:
	bash scripts/pg.sh stop

clean:
	-bash scripts/demo.sh --stop
	-bash scripts/pg.sh stop
	rm -rf .venv var
