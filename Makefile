# The two commands of the README: `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# The sanitizer build (ASan + UBSan) and the fuzzing build (clang, libFuzzer).
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# Seconds each fuzz target runs: `make fuzz`, and the short run inside `make test`.
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 10

# A sanitizer finding fails the test that hit it: ASan and UBSan abort (the build
# has -fno-sanitize-recover=all), LeakSanitizer reports at exit with a failing
# status. Tests that start the daemon start the sanitized binary and pass these on.
# clang++ compiles the sanitized build 2-7 times faster than g++ here (g++ with ASan
# takes 45 s over daemon_faults_test.cpp, clang++ 6 s); the plain build stays g++.
ASAN_CXX ?= clang++
# Sanitizer builds: -O1 and line tables only (stack traces name file:line) compile
# about a third faster than -O2 -g; no NDEBUG, so Boost's and nlohmann's asserts run.
SANITIZER_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: run test build build-all deps test-deps bench clean test-asan fuzz

# `make run` installs and builds only what the daemon needs; `make test` the rest.
deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

# Configured every time (a no-op when nothing changed): `make run` leaves the test
# suites out (no doctest needed), `make test` turns them on in the same tree.
build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DBUILD_TESTING=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target faultline

build-all: test-deps
	@cmake -S . -B $(BUILD) -G Ninja -DBUILD_TESTING=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/server/faultline serve --rules rules/packs

# Every test in the plain build, then again under ASan + UBSan, then each fuzz
# target briefly and the fuzz regression inputs. Each part prints its time.
test: build-all
	@start=$$(date +%s); cd $(BUILD) && ctest --output-on-failure -j $(JOBS) && \
	  echo "make test: tests ($(BUILD)) took $$(( $$(date +%s) - start ))s"
	@$(MAKE) --no-print-directory test-asan
	@start=$$(date +%s); $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) && \
	  echo "make test: fuzz build and $(TEST_FUZZ_SECONDS)s per target ($(FUZZ_BUILD)) took $$(( $$(date +%s) - start ))s"

# Configured every time (a no-op when nothing changed), so flag changes here apply.
test-asan: test-deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=$(ASAN_CXX) -DFAULTLINE_SANITIZE=ON $(SANITIZER_FLAGS) $(CMAKE_FLAGS) >/dev/null
	@start=$$(date +%s); cmake --build $(ASAN_BUILD) -j $(JOBS) && \
	  echo "make test: sanitizer build ($(ASAN_BUILD)) took $$(( $$(date +%s) - start ))s"
	@start=$$(date +%s); cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) -LE no-asan && \
	  echo "make test: tests under ASan + UBSan ($(ASAN_BUILD)) took $$(( $$(date +%s) - start ))s"

# Builds the fuzz targets and their seed corpora, replays the regression inputs,
# then fuzzes each target for FUZZ_SECONDS and prints executions per target.
fuzz: test-deps
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DFAULTLINE_FUZZ=ON $(SANITIZER_FLAGS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) --target fuzz -j $(JOBS)
	@cd $(FUZZ_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -L fuzz-regression
	@$(SANITIZER_ENV) fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build-all
	bench/scan_vs_ripgrep.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
