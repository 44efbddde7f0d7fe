# Two commands for a newcomer: `make run` and `make test`. Both bootstrap first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEB_PACKAGES := softhsm2 opensc xvfb xauth fonts-noto-cjk libgl1 libgl1-mesa-dri libegl1 \
	libmtdev1 libusb-1.0-0
CONFIG ?=
CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG),)

.PHONY: bootstrap deb run test bench lint clean

bootstrap: deb $(STAMP)

# Installs only the Debian packages that are missing; silent when all are there.
deb:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "bootstrap: installing Debian packages:" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@echo "bootstrap: creating $(VENV) and installing the appliance"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@touch $(STAMP)

run: bootstrap
	@$(VENV)/bin/appliance $(CONFIG_ARG) run --demo-if-headless

test: bootstrap
	@$(PY) -m pytest -q

bench: bootstrap
	@$(PY) bench/run.py $(BENCH)

lint: bootstrap
	@$(VENV)/bin/ruff check appliance tests

clean:
	rm -rf $(VENV) var demo-output
