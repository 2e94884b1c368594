# focus: `make demo` and `make test` set everything up by themselves.
# The first Python 3.11+ that actually runs (pyenv shims can exist and still fail).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
            $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV   := .venv
PY     := $(VENV)/bin/python
ARGS   ?=
EVENT  ?= follow

.DEFAULT_GOAL := help
.PHONY: help venv auth focus devlog demo doctor stop trigger test bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.runtime: requirements.txt
	@test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "focus needs Python 3.11 or newer; install it, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime ## create .venv and install the runtime requirements

auth: $(VENV)/.runtime ## authorize focus with Twitch once (opens the browser)
	$(PY) auth_server.py $(ARGS)

focus: $(VENV)/.runtime ## show chat and events (terminal 1, on stream)
	$(PY) focus.py $(ARGS)

devlog: $(VENV)/.runtime ## show every raw event (terminal 2, private)
	$(PY) devlog.py $(ARGS)

demo: $(VENV)/.runtime ## focus against the built-in simulated Twitch (no account, no network)
	$(PY) focus.py --demo $(ARGS)

doctor: $(VENV)/.runtime ## check settings, token, scopes, Twitch and the devlog pipe
	$(PY) focus.py doctor

stop: $(VENV)/.runtime ## stop a focus running in another terminal
	$(PY) focus.py stop

trigger: $(VENV)/.runtime ## fire an event at a running demo: make trigger EVENT=follow
	$(PY) -m focuslib.sim trigger $(EVENT) $(ARGS)

test: $(VENV)/.dev ## install everything and run the test suite
	PYTHONWARNINGS=default $(PY) -m pytest $(ARGS)

# The bench's own virtualenv: the peer (pyTwitchAPI) and py-spy, never in focus's .venv.
bench/.venv/.installed: bench/requirements.txt
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@

bench: $(VENV)/.runtime bench/.venv/.installed ## measure speed, latency, idle cost and memory (see README)
	$(PY) -m bench $(ARGS)

clean: ## remove .venv and caches
	rm -rf $(VENV) bench/.venv .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
