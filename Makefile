# Twill: the two commands a user needs are `make demo` and `make test`; the rest are the steps they run.
SHELL := /bin/bash
MVN   := scripts/mvn
# On CI (CI=true) privileged tests fail instead of skipping when the machine cannot run them.
REQUIRE_PRIVILEGED ?= $(if $(filter true 1,$(CI)),true,false)

.PHONY: all deps build test unit demo demo-down bench image kind-e2e install clean

all: build

## deps: install the missing Debian packages (clang-19, libbpf-dev, bpftool, iproute2, podman, ...)
deps:
	scripts/deps.sh

## build: compile everything (BPF objects, Java modules, the static twill-cni shim), no tests
build:
	$(MVN) -q install -DskipTests

## unit: the tests that need neither root nor the kernel
unit:
	$(MVN) test

## test: unit tests, privileged kernel tests (skip without root, fail on CI) and end-to-end tests
test: deps
	$(MVN) install -Dtwill.requirePrivileged=$(REQUIRE_PRIVILEGED)

## demo: a 2-node cluster of network namespaces with 4 pods; prints connectivity, twillctl, bpftool, metrics
##       (KEEP=1 leaves it up; ROUTING=native for native routing)
demo: deps build
	ci/demo.sh

## demo-down: remove a cluster left up by KEEP=1 make demo (or by an interrupted run)
demo-down:
	ci/netns-cluster down

## bench: every benchmark against its peer in one run (datapath, Services, CNI, maps, netlink, operator, agent at scale); writes
##        bench/results/<date>.{json,md} with PNG charts and refreshes README.md's figures (BENCHES=..., QUICK=1)
bench: deps
	bench/run.sh

## image: build the container images twill/agent:dev and twill/operator:dev (needs Docker)
image:
	ci/kind/build-images.sh

## kind-e2e: a kind cluster (default CNI off) with Twill deployed, cross-node connectivity checked (needs Docker + kind)
kind-e2e:
	ci/kind/e2e.sh

## install: put twill-cni in /opt/cni/bin and 05-twill.conflist in /etc/cni/net.d (CNI_BIN_DIR, CNI_CONF_DIR override)
install: build
	cni-plugin/dist/install-cni.sh --binary cni-plugin/target/bin/twill-cni --conflist cni-plugin/dist/05-twill.conflist

clean:
	$(MVN) -q clean
