# The two commands of the README: `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: run test build deps configure bench clean

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

configure: deps $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/server/faultline serve --rules rules/packs

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/scan_vs_ripgrep.sh

clean:
	rm -rf $(BUILD)
