# focus: `make demo` and `make test` set everything up by themselves.
# The first Python 3.11+ that actually runs (pyenv shims can exist and still fail).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
            $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV   := .venv
PY     := $(VENV)/bin/python
ARGS   ?=
EVENT  ?=

# The variables recipes take from make's command line, as typed (see "Talk back" below).
TYPED_VARS  := MSG USER REASON DURATION COLOR SECONDS STATE CHANNEL EVENT YES ARGS GAME QUESTION CHOICES OUTCOMES WINNER
USER_ORIGIN := $(origin USER)
$(foreach v,$(TYPED_VARS),$(if $(filter command line environment,$(origin $(v))),\
  $(eval override $(v) := $$(value $(v)))$(eval export $(v))))
export EVENT

.DEFAULT_GOAL := help
.PHONY: help venv setup auth focus devlog demo doctor stop trigger chat say reply ban timeout untimeout unban announce shoutout \
        warn delete clear slow followers subs emoteonly raid shield vip unvip mod unmod mods vips marker title game \
        commercial unraid whisper poll endpoll prediction endprediction user test bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Installing into .venv.  A new .venv (or one left without pip) is made without ensurepip when the Python that
# makes it has a pip that installs into another interpreter (--python, pip >= 22.3): ensurepip installs pip by
# running pip and compiling all of it (~5 s), and pip compiles one file after another (~6 s); this way one pip
# run installs pip and the lists and compileall compiles them on up to 4 cores (`make test` on a fresh clone:
# ~12 s to set up, was ~19 s; left to the first imports, the test workers compiled the same modules side by
# side).  Otherwise the standard venv with its own pip.  An existing .venv with pip is only updated, with its
# own Python (made with PYTHON=... once, it needs no PYTHON again).
PIP_QUIET := --quiet --disable-pip-version-check
define venv_install
	@if $(PY) -m pip --version >/dev/null 2>&1; then set -x; $(PY) -m pip install $(PIP_QUIET) $(1); \
	elif ! { test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; }; then \
	  echo "focus needs Python 3.11 or newer; install it, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; \
	  exit 1; \
	elif $(PYTHON) -m pip --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')" --version >/dev/null 2>&1; \
	then set -x; \
	  $(PYTHON) -m venv --without-pip $(VENV) && $(PYTHON) -m pip --python $(PY) install $(PIP_QUIET) --no-compile pip $(1) \
	  && { $(PY) -m compileall -q -j 4 $(VENV)/lib >/dev/null 2>&1 || true; }; \
	else set -x; $(PYTHON) -m venv $(VENV) && $(PY) -m pip install $(PIP_QUIET) $(1); fi
endef

$(VENV)/.runtime: requirements.txt
	$(call venv_install,-r requirements.txt)
	@touch $@

# make test on a fresh clone: the venv and both lists in one pip run (two runs resolved and started pip twice).
$(VENV)/.dev: requirements.txt requirements-dev.txt
	$(call venv_install,-r requirements.txt -r requirements-dev.txt)
	@touch $(VENV)/.runtime $@

venv: $(VENV)/.runtime ## create .venv and install the runtime requirements

setup: $(VENV)/.runtime ## first run on your channel: your app's id and secret, then the sign-in (asked once)
	$(PY) focus.py setup $(ARGS)

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

trigger: $(VENV)/.runtime ## fire an event at a running demo: make trigger EVENT=follow (alone: the list)
	@$(PY) -m focuslib.sim trigger "$$EVENT" $(ARGS)

# Talk back from any shell (python focus.py say|ban|... --help).  GNU make expands a command-line variable once more
# when it exports it to a recipe, so `MSG='$(shell rm -rf ~)'` would run: each variable the recipes read from the
# command line (or the environment) becomes a simple variable holding its raw text (make's `value`), exported as
# it is, and a recipe passes it as "$$VAR": no make function, no backquote, no quoting and no line break of its
# text reaches the shell as anything but text, and the text is sent as typed.  USER must be given on make's
# command line: the shell's own $$USER (your login name) is never taken for a chatter.
need = $(if $(strip $(value $(1))),,$(error give $(1)=..., e.g. $(2)))
need_user = $(if $(filter command line,$(USER_ORIGIN)),,$(error give USER=login, e.g. $(1)))

chat: $(VENV)/.runtime ## post a chat line into a running demo: make chat USER=pixel_otter MSG="hi @DeskFox"
	$(call need_user,make chat USER=pixel_otter MSG="hi @DeskFox")$(call need,MSG,make chat USER=x MSG="hi")
	@$(PY) -m focuslib.sim chat -- "$$USER" "$$MSG"

say: $(VENV)/.runtime ## send a chat message: make say MSG="brb 5 min"
	$(call need,MSG,make say MSG="brb 5 min")
	@$(PY) focus.py say -- "$$MSG"

reply: $(VENV)/.runtime ## reply to a chatter's latest message: make reply USER=pixel_otter MSG="tests first"
	$(call need_user,make reply USER=pixel_otter MSG="tests first")$(call need,MSG,make reply USER=x MSG="hi")
	@$(PY) focus.py reply -- "$$USER" "$$MSG"

ban: $(VENV)/.runtime ## ban a chatter: make ban USER=spam_bot REASON="spam links"
	$(call need_user,make ban USER=spam_bot REASON="spam links")
	@$(PY) focus.py ban $(if $(value REASON),--reason="$$REASON") -- "$$USER"

timeout: $(VENV)/.runtime ## time a chatter out: make timeout USER=loud_kettle DURATION=10m REASON="caps"
	$(call need_user,make timeout USER=loud_kettle DURATION=10m)$(call need,DURATION,make timeout USER=x DURATION=10m)
	@$(PY) focus.py timeout $(if $(value REASON),--reason="$$REASON") -- "$$USER" "$$DURATION"

untimeout: $(VENV)/.runtime ## end a timeout: make untimeout USER=loud_kettle
	$(call need_user,make untimeout USER=loud_kettle)
	@$(PY) focus.py untimeout -- "$$USER"

unban: $(VENV)/.runtime ## lift a ban or timeout: make unban USER=loud_kettle
	$(call need_user,make unban USER=loud_kettle)
	@$(PY) focus.py unban -- "$$USER"

announce: $(VENV)/.runtime ## post an announcement: make announce MSG="giveaway at 9" COLOR=purple
	$(call need,MSG,make announce MSG="giveaway at 9")
	@$(PY) focus.py announce $(if $(value COLOR),--color="$$COLOR") -- "$$MSG"

shoutout: $(VENV)/.runtime ## give a channel a shoutout: make shoutout USER=rustyraccoon
	$(call need_user,make shoutout USER=rustyraccoon)
	@$(PY) focus.py shoutout -- "$$USER"

warn: $(VENV)/.runtime ## warn a chatter: make warn USER=loud_kettle REASON="keep it friendly"
	$(call need_user,make warn USER=loud_kettle REASON="keep it friendly")$(call need,REASON,make warn USER=x REASON="why")
	@$(PY) focus.py warn -- "$$USER" "$$REASON"

delete: $(VENV)/.runtime ## delete a chatter's latest message (from the history): make delete USER=spam_bot
	$(call need_user,make delete USER=spam_bot)
	@$(PY) focus.py delete -- "$$USER"

clear: $(VENV)/.runtime ## delete every message in the chat: make clear YES=1
	$(if $(filter 1 yes,$(YES)),,$(error clear deletes every message in the chat and cannot be undone; add YES=1))
	@$(PY) focus.py clear --yes

slow: $(VENV)/.runtime ## slow mode: make slow SECONDS=30 (or SECONDS=off)
	$(call need,SECONDS,make slow SECONDS=30)
	@$(PY) focus.py slow -- "$$SECONDS"

followers: $(VENV)/.runtime ## followers-only chat: make followers DURATION=10m (0: any follower; off)
	$(call need,DURATION,make followers DURATION=10m)
	@$(PY) focus.py followers -- "$$DURATION"

subs: $(VENV)/.runtime ## subscribers-only chat: make subs STATE=on (or off)
	$(call need,STATE,make subs STATE=on)
	@$(PY) focus.py subs -- "$$STATE"

emoteonly: $(VENV)/.runtime ## emote-only chat: make emoteonly STATE=on (or off)
	$(call need,STATE,make emoteonly STATE=on)
	@$(PY) focus.py emoteonly -- "$$STATE"

raid: $(VENV)/.runtime ## raid a channel: make raid CHANNEL=rustyraccoon
	$(call need,CHANNEL,make raid CHANNEL=rustyraccoon)
	@$(PY) focus.py raid -- "$$CHANNEL"

shield: $(VENV)/.runtime ## a hate raid: Shield Mode, followers-only, hold everyone new: make shield (STATE=off ends it)
	@$(PY) focus.py shield -- $(if $(value STATE),"$$STATE",on)

vip: $(VENV)/.runtime ## make a chatter a VIP: make vip USER=kaffeekatze
	$(call need_user,make vip USER=kaffeekatze)
	@$(PY) focus.py vip -- "$$USER"

unvip: $(VENV)/.runtime ## take a chatter's VIP status away: make unvip USER=kaffeekatze
	$(call need_user,make unvip USER=kaffeekatze)
	@$(PY) focus.py unvip -- "$$USER"

mod: $(VENV)/.runtime ## make a chatter a moderator: make mod USER=byte_heron
	$(call need_user,make mod USER=byte_heron)
	@$(PY) focus.py mod -- "$$USER"

unmod: $(VENV)/.runtime ## take a chatter's moderator status away: make unmod USER=byte_heron
	$(call need_user,make unmod USER=byte_heron)
	@$(PY) focus.py unmod -- "$$USER"

mods: $(VENV)/.runtime ## list the channel's moderators
	@$(PY) focus.py mods

vips: $(VENV)/.runtime ## list the channel's VIPs
	@$(PY) focus.py vips

marker: $(VENV)/.runtime ## mark this moment for the VOD: make marker MSG="found the bug"
	@$(PY) focus.py marker -- "$$MSG"

title: $(VENV)/.runtime ## change the stream's title: make title MSG="fixing the parser"
	$(call need,MSG,make title MSG="fixing the parser")
	@$(PY) focus.py title -- "$$MSG"

game: $(VENV)/.runtime ## change the stream's category: make game GAME="Software and Game Development"
	$(call need,GAME,make game GAME="Software and Game Development")
	@$(PY) focus.py game -- "$$GAME"

commercial: $(VENV)/.runtime ## run an ad break: make commercial SECONDS=60 (30-180; default 30)
	@$(PY) focus.py commercial -- $(if $(value SECONDS),"$$SECONDS",30)

unraid: $(VENV)/.runtime ## cancel the raid you started
	@$(PY) focus.py unraid

whisper: $(VENV)/.runtime ## whisper to a chatter: make whisper USER=pixel_otter MSG="thanks for the sub"
	$(call need_user,make whisper USER=pixel_otter MSG="hi")$(call need,MSG,make whisper USER=x MSG="hi")
	@$(PY) focus.py whisper -- "$$USER" "$$MSG"

poll: $(VENV)/.runtime ## start a poll: make poll QUESTION="Tabs or spaces?" CHOICES="Tabs | Spaces" DURATION=2m
	$(call need,QUESTION,make poll QUESTION="Tabs or spaces?" CHOICES="Tabs | Spaces")
	$(call need,CHOICES,make poll QUESTION="Tabs or spaces?" CHOICES="Tabs | Spaces")
	@$(PY) focus.py poll $(if $(value DURATION),--duration="$$DURATION") -- \
	  "$$QUESTION" "$$CHOICES"

endpoll: $(VENV)/.runtime ## end the running poll now
	@$(PY) focus.py endpoll

prediction: $(VENV)/.runtime ## start a prediction: make prediction QUESTION="Will it compile?" OUTCOMES="yes | no"
	$(call need,QUESTION,make prediction QUESTION="Will it compile?" OUTCOMES="yes | no")
	$(call need,OUTCOMES,make prediction QUESTION="Will it compile?" OUTCOMES="yes | no")
	@$(PY) focus.py prediction $(if $(value DURATION),--duration="$$DURATION") -- \
	  "$$QUESTION" "$$OUTCOMES"

endprediction: $(VENV)/.runtime ## resolve the prediction: make endprediction WINNER=yes (or WINNER=cancel)
	$(call need,WINNER,make endprediction WINNER=yes)
	@$(PY) focus.py endprediction -- "$$WINNER"

user: $(VENV)/.runtime ## a chatter's card (account and follow age, sub, history): make user USER=loud_kettle
	$(call need_user,make user USER=loud_kettle)
	@$(PY) focus.py user -- "$$USER"

# The suite mostly waits (simulated Twitch, subprocesses, ptys), so it runs in 8 workers on 2 cores (4 workers kept
# the cores ~89% busy: 163 s of tests on a fresh clone, 8: 137 s); timing-sensitive tests share one worker
# (xdist_group "serial", "stops", "memory", see tests/conftest.py).  ARGS comes last: ARGS="-n 0 tests/x.py".
test: $(VENV)/.dev ## install everything and run the test suite
	PYTHONWARNINGS=default $(PY) -m pytest -n 8 --dist loadgroup --durations=10 $(ARGS)

# The bench's own virtualenv: the peer (pyTwitchAPI) and py-spy, never in focus's .venv; beside it the Node.js
# peer (twurple) into bench/twurple/node_modules where npm is installed (the bench leaves it out with a note
# where it is not).  The bench itself runs in .venv with the dev requirements: its screen phase reads the
# terminal with pyte.  Never part of `make test` or CI.
bench/.venv/.installed: bench/requirements.txt bench/twurple/package.json
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@if command -v npm >/dev/null 2>&1; then npm install --prefix bench/twurple --no-audit --no-fund --silent; \
	  else echo "bench: npm is not installed: twurple (the Node.js peer) is left out"; fi
	@touch $@

bench: $(VENV)/.dev bench/.venv/.installed ## measure speed, latency, idle cost and memory (see docs/speed.md)
	$(PY) -m bench $(ARGS)

clean: ## remove .venv and caches
	rm -rf $(VENV) bench/.venv bench/twurple/node_modules .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
