# rempart: XDP/eBPF data plane (bpf/), control plane and CLI (src/), one shared ABI
# (include/rempart/). `make V=1` shows the commands.
#
#   make            build build/rempart
#   make demo       build, generate a sample attack, replay it, print the report
#   make check      every test (unit, sanitizer, BPF fixtures, replay, netns, corpus, fuzz)
#   make bench      the benchmarks (ratios against the parse-and-drop floor)
#   make SANITIZER=address|undefined   a sanitizer build in build-$(SANITIZER)/

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

comma := ,
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifneq ($(SANITIZER),)
# SANITIZER=address builds with AddressSanitizer and UBSan together.
BUILD ?= build-$(SANITIZER)
SANFLAGS := -fsanitize=$(SANITIZER)$(if $(filter address,$(SANITIZER)),$(comma)undefined) \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SANFLAGS :=
endif

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)
LDLIBS := -lbpf -lpcap -lyaml -lelf -lz -lm -lmaxminddb
BPF_CFLAGS := -g -O2 -target bpf $(WARN) -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)

BPF_OBJS := $(BUILD)/rempart.bpf.o $(BUILD)/bench.bpf.o
SKELS := $(BPF_OBJS:.bpf.o=.skel.h)
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/src/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BPFTEST_SRCS := $(wildcard tests/bpf/test_*.c)
BPFTEST_BINS := $(BPFTEST_SRCS:tests/bpf/%.c=$(BUILD)/tests/%)
HDRS := $(wildcard include/rempart/*.h src/*.h)
BPF_HDRS := $(wildcard bpf/*.h include/rempart/*.h)

all: $(BUILD)/rempart

$(BUILD)/rempart.bpf.o: bpf/rempart.bpf.c $(BPF_HDRS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench.bpf.o: bench/bench.bpf.c $(BPF_HDRS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*) > $@

$(BUILD)/src/%.o: src/%.c $(HDRS) $(SKELS) | $(BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/librempart.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/rempart: $(BUILD)/src/main.o $(BUILD)/librempart.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/check.h $(BUILD)/librempart.a
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(BUILD)/librempart.a -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/bpf/%.c tests/check.h tests/bpf/frames.h $(BUILD)/librempart.a
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(BUILD)/librempart.a -o $@ $(LDLIBS)

# Each fuzz target links only the parser it exercises, built with clang's libFuzzer, ASan
# and UBSan.
FUZZ_SRCS_capture := src/capture.c src/log.c
FUZZ_SRCS_config := src/config.c src/log.c src/geo.c src/geo_region.c src/geo_compact.c \
	src/geo_csv.c src/geo_mmdb.c src/file.c

.SECONDEXPANSION:
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(HDRS) | $(BUILD)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -O1 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $< $(FUZZ_SRCS_$*) \
		-o $@ $(LDLIBS)

$(BUILD):
	$(Q)mkdir -p $(BUILD)/src $(BUILD)/tests

tests: $(UNIT_BINS) $(BPFTEST_BINS)

# The sample of the README's first command: a generated attack, replayed with the built-in
# defaults, then with the example policy and the portal held at level 4 (shield) from 3 s.
demo: $(BUILD)/rempart
	$(Q)$(BUILD)/rempart gen --scenario sample --seed 1 -o $(BUILD)/sample.pcapng --labels $(BUILD)/sample.labels
	$(Q)$(BUILD)/rempart replay $(BUILD)/sample.pcapng
	@printf '\nThe same capture with docs/examples/replay.yaml, the portal held at level 4 from 3 s:\n'
	$(Q)$(BUILD)/rempart replay $(BUILD)/sample.pcapng -c docs/examples/replay.yaml --level portal=4@3

FUZZERS := $(BUILD)/fuzz_capture $(BUILD)/fuzz_config

check: $(BUILD)/rempart tests $(FUZZERS)
	$(Q)$(MAKE) --no-print-directory SANITIZER=address tests
	$(Q)tests/run

bench: $(BUILD)/rempart
	$(Q)$(BUILD)/rempart bench

clean:
	rm -rf build build-*

.PHONY: all tests demo check bench clean
