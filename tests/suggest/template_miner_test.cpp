#include <doctest/doctest.h>

#include "suggest/template_miner.h"

using namespace faultline;

TEST_CASE("lines that differ only in their values make one template, the values typed") {
  TemplateMiner miner;
  miner.add("FATAL: ledger shard 7 checksum mismatch at offset 81920", "a");
  miner.add("FATAL: ledger shard 12 checksum mismatch at offset 4096", "b");
  miner.add("FATAL: ledger shard 3 checksum mismatch at offset 77", "c");
  const auto templates = miner.templates();
  REQUIRE(templates.size() == 1);
  CHECK(templates[0].describe() == "FATAL: ledger shard <number> checksum mismatch at offset <number>");
  CHECK(templates[0].tags == std::vector<std::string>{"a", "b", "c"});
  CHECK(templates[0].lines.size() == 3);
}

TEST_CASE("one line alone already has its numbers, ids and addresses as variables") {
  TemplateMiner miner;
  miner.add("2025-10-01T10:00:00.123Z cannot reach 10.0.3.7:5432 for request 4f9c2a1e77 (attempt=3)");
  const auto templates = miner.templates();
  REQUIRE(templates.size() == 1);
  // The timestamp a logger put first is not part of the template.
  CHECK(templates[0].describe() == "cannot reach <ip> for request <hex> (attempt=<number>)");
  const TemplateToken& attempt = templates[0].tokens.back();
  CHECK(attempt.head == "(attempt=");
  CHECK(attempt.tail == ")");
  CHECK(attempt.values == std::vector<std::string>{"3"});
}

TEST_CASE("dates, times, versions and durations inside a line are variables too") {
  TemplateMiner miner;
  miner.add("   Active: failed (Result: exit-code) since Tue 2021-08-31 20:53:12 UTC; 6min ago");
  const auto templates = miner.templates();
  REQUIRE(templates.size() == 1);
  CHECK(templates[0].describe() == "   Active: failed (Result: exit-code) since Tue <numeric> <numeric> UTC; <duration> ago");
}

TEST_CASE("a word that varies becomes a variable, and quoted names and paths are typed") {
  TemplateMiner miner;
  miner.add("tenant 'acme' has no config at /etc/app/acme.toml");
  miner.add("tenant 'globex' has no config at /etc/app/globex.toml");
  const auto templates = miner.templates();
  REQUIRE(templates.size() == 1);
  CHECK(templates[0].describe() == "tenant '<quoted>' has no config at <path>");
  CHECK(templates[0].tokens[1].values == std::vector<std::string>{"acme", "globex"});
}

TEST_CASE("different messages stay apart, the one seen on the most instances first") {
  TemplateMiner miner;
  miner.add("connection reset by peer", "a", 5);
  miner.add("FATAL: ledger shard 7 checksum mismatch at offset 81920", "a");
  miner.add("FATAL: ledger shard 9 checksum mismatch at offset 1", "b");
  miner.add("disk quota exceeded on volume data", "a");
  const auto templates = miner.templates();
  REQUIRE(templates.size() == 3);
  CHECK(templates[0].describe() == "FATAL: ledger shard <number> checksum mismatch at offset <number>");
  CHECK(templates[1].describe() == "connection reset by peer");  // heavier than the quota line
  CHECK(templates[1].weight == 5);
}

TEST_CASE("a line cut short by the suspect log loses the cut token and the ellipsis") {
  CHECK(strip_log_prefix("worker failed: payload was abcdef…") == "worker failed: payload was");
  CHECK(strip_log_prefix("[2025-10-01 10:00:00,123] boom") == "boom");
}

TEST_CASE("arbitrary bytes and many distinct lines stay within the caps") {
  TemplateMiner::Options options;
  options.max_groups = 10;
  TemplateMiner miner(options);
  for (int i = 0; i < 100; ++i) miner.add("line" + std::string(static_cast<size_t>(i % 7), ' ') + char('a' + i % 26));
  miner.add(std::string("\0\xff\n", 3));
  miner.add("");
  CHECK(miner.templates().size() <= 10);
}
