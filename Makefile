# Two commands for a newcomer: `make run` and `make test`. Both bootstrap first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEB_PACKAGES := softhsm2 opensc xvfb xauth fonts-noto-cjk libgl1 libgl1-mesa-dri libegl1 \
	libmtdev1 libusb-1.0-0
# Boot into the kiosk (issue 8): systemd-analyze for the unit tests; mmdebstrap, mtools,
# dosfstools and fdisk build the OS image without loop devices (images/README.md).
DEB_PACKAGES += systemd mmdebstrap dosfstools mtools fdisk e2fsprogs openssl
# ARCH=arm64: the Raspberry Pi 4 image, built here through qemu-user (images/README.md).
ARCH ?= amd64
ARCH_DIR := $(if $(filter amd64,$(ARCH)),,-$(ARCH))
IMAGE_OUT ?= build/image$(ARCH_DIR)
CONFIG ?=
CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG),)

.PHONY: bootstrap deb run test soak soak-sync bench lint clean

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

# Exactly the locked versions, each checked against its hash, then the appliance itself.
$(STAMP): requirements.lock pyproject.toml dev/pyproject.toml
	@echo "bootstrap: creating $(VENV) and installing the locked dependencies"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# One OpenCV (issue 15): the contrib build replaced opencv-python-headless, and both
	@# are the cv2 module, so a venv made before the switch loses both and installs anew.
	@if $(PY) -m pip show -q opencv-python-headless 2>/dev/null; then \
		$(PY) -m pip uninstall -q -y opencv-python-headless opencv-contrib-python-headless; \
	fi
	@PIP_CONSTRAINT= $(PY) -m pip install -q --disable-pip-version-check --require-hashes \
		-r requirements.lock
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e . -e dev
	@touch $(STAMP)

# Regenerates requirements.lock from pyproject.toml (Python 3.11, as on the box), keeping
# the versions already locked where they still fit; `make lock LOCK_ARGS=--upgrade` moves
# them all. The pi extra is left out: the arm64 image locks picamera2 and its Python parts
# in images/pi-camera.lock, libcamera's bindings come from Debian. An empty
# PIP_CONSTRAINT keeps a machine-wide pip constraint file out of the lock.
.PHONY: lock
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check pip-tools
	@PIP_CONSTRAINT= $(VENV)/bin/pip-compile -q --generate-hashes --extra dev --extra bench \
		--allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras $(LOCK_ARGS) \
		--output-file requirements.lock pyproject.toml

# The dev branch server and the sync process run beside the kiosk and stop with it.
run: bootstrap
	@mkdir -p var/log; \
	$(VENV)/bin/appliance branch-server $(CONFIG_ARG) >var/log/branch-server.log 2>&1 & server=$$!; \
	$(VENV)/bin/appliance sync $(CONFIG_ARG) >var/log/sync.log 2>&1 & sync=$$!; \
	trap 'kill $$server $$sync 2>/dev/null; wait' EXIT; \
	$(VENV)/bin/appliance $(CONFIG_ARG) run --demo-if-headless

test: bootstrap
	@$(PY) -m pytest -q

# A counter's day (issue 18; not in CI): the real kiosk under Xvfb, SOAK_ACCEPTANCES
# acceptances (500) by the three look-ups, then SOAK_IDLE_MIN minutes (30) of preview on
# an empty desk; RSS, fds, threads, textures and database size each minute into
# bench/results/soak.{json,md,png}. `SOAK_ACCEPTANCES=60 SOAK_IDLE_MIN=2 make soak` is short.
soak: bootstrap
	@nice -n 10 $(PY) bench/soak.py

# The kill -9 loop of the offline queue, ten times longer than in `make test`.
soak-sync: bootstrap
	@SYNC_CRASH_ROUNDS=2000 $(PY) -m pytest -q tests/test_sync_crash.py

bench: bootstrap
	@$(PY) bench/run.py $(BENCH)

LINT_PATHS := appliance dev tests images bench
lint: bootstrap
	@$(VENV)/bin/ruff check $(LINT_PATHS)
	@$(VENV)/bin/ruff format --check $(LINT_PATHS)
	@$(PY) -m mypy

# The appliance OS disk image of $(ARCH) into $(IMAGE_OUT) (root needed: chroot); images/README.md.
.PHONY: image boot-test
image: bootstrap
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); $$sudo images/build-image --arch $(ARCH) $(IMAGE_OUT)

# The image booted in QEMU and checked from outside: images/vm/boot_test.py. amd64: q35,
# OVMF, TCG; arm64: virt, Cortex-A72, the slot's kernel booted directly, virtio GPU, TCG.
VM_DEB_PACKAGES_amd64 := qemu-system-x86 ovmf
VM_DEB_PACKAGES_arm64 := qemu-system-arm
VM_DEB_PACKAGES := $(VM_DEB_PACKAGES_$(ARCH))
VM_OUT ?= build/vm$(ARCH_DIR)
BOOT_TEST_ARGS ?=
boot-test: image
	@$(MAKE) --no-print-directory deb DEB_PACKAGES="$(VM_DEB_PACKAGES)"
	@$(PY) images/vm/boot_test.py --arch $(ARCH) $(IMAGE_OUT) $(VM_OUT) $(BOOT_TEST_ARGS)

clean:
	rm -rf $(VENV) var demo-output

# The power pulled 20 times while the box submits and prints (44 min in TCG; not in CI):
# images/vm/power_cut_test.py. POWERCUT_ARGS="--cycles 5 --seed 1" for a shorter run.
POWERCUT_OUT ?= build/vm-powercut
.PHONY: power-cut-test
power-cut-test: image
	@$(MAKE) --no-print-directory deb DEB_PACKAGES="$(VM_DEB_PACKAGES)"
	@$(PY) images/vm/power_cut_test.py $(IMAGE_OUT) $(POWERCUT_OUT) $(POWERCUT_ARGS)
