// Database: opening, torn and unknown lines, concurrent appends from processes, best().
#include "autotuner/database/Database.h"

#include "TestHelpers.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace kiln::autotuner;
using namespace kiln::autotuner::test;

using DatabaseTest = ScratchDir;

static std::unique_ptr<Database> openOrFail(const std::string &path, bool create) {
  llvm::Expected<std::unique_ptr<Database>> db = Database::open(path, create);
  EXPECT_TRUE(bool(db)) << llvm::toString(db.takeError());
  return db ? std::move(*db) : nullptr;
}

TEST_F(DatabaseTest, MissingFileWithoutCreateIsAnErrorNamingIt) {
  std::string path = file("absent.jsonl");
  llvm::Expected<std::unique_ptr<Database>> db = Database::open(path, /*create=*/false);
  ASSERT_FALSE(bool(db));
  EXPECT_NE(llvm::toString(db.takeError()).find(path), std::string::npos);
  EXPECT_FALSE(llvm::sys::fs::exists(path)) << "opening without create must not create";
}

TEST_F(DatabaseTest, CreateInMissingFolderIsAnErrorNamingIt) {
  std::string path = file("no/such/folder/db.jsonl");
  llvm::Expected<std::unique_ptr<Database>> db = Database::open(path, /*create=*/true);
  ASSERT_FALSE(bool(db));
  EXPECT_NE(llvm::toString(db.takeError()).find(path), std::string::npos);
}

TEST_F(DatabaseTest, AppendsSurviveReopening) {
  std::string path = file("db.jsonl");
  auto db = openOrFail(path, true);
  ASSERT_TRUE(db);
  EXPECT_TRUE(db->records().empty());
  ASSERT_FALSE(bool(db->append(makeRecord("a", {2e-3}, 0))));
  ASSERT_FALSE(bool(db->append(makeRecord("a", {1e-3}, 1))));
  EXPECT_EQ(db->records().size(), 2u);

  auto again = openOrFail(path, false);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->records().size(), 2u);
  EXPECT_EQ(again->records()[0].source, "default");
  EXPECT_EQ(again->records()[1].latenciesSec, std::vector<double>{1e-3});
  EXPECT_EQ(again->skippedLines(), 0u);
}

TEST_F(DatabaseTest, TornLastLineIsSkippedAndTheNextAppendStaysParseable) {
  std::string path = file("db.jsonl");
  {
    auto db = openOrFail(path, true);
    ASSERT_FALSE(bool(db->append(makeRecord("a", {3e-3}, 0))));
    ASSERT_FALSE(bool(db->append(makeRecord("a", {2e-3}, 1))));
  }
  // A kill in the middle of a write leaves half a line without its newline.
  std::string line;
  llvm::raw_string_ostream(line) << makeRecord("a", {1e-3}, 2).toJSON();
  appendRaw(path, line.substr(0, line.size() / 2));

  auto db = openOrFail(path, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->records().size(), 2u);
  EXPECT_EQ(db->skippedLines(), 1u);
  ASSERT_FALSE(bool(db->append(makeRecord("a", {0.5e-3}, 3))));

  std::string text = readFile(path);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], line.substr(0, line.size() / 2)) << "the torn line is left alone";
  for (size_t i : {0, 1, 3}) {
    llvm::Expected<llvm::json::Value> value = llvm::json::parse(lines[i]);
    ASSERT_TRUE(bool(value)) << "line " << i << ": " << llvm::toString(value.takeError());
  }

  auto reopened = openOrFail(path, false);
  ASSERT_EQ(reopened->records().size(), 3u);
  EXPECT_EQ(reopened->skippedLines(), 1u);
  EXPECT_EQ(reopened->records()[2].trial, 3);
}

TEST_F(DatabaseTest, UnknownVersionAndGarbageLinesAreSkippedAndCounted) {
  std::string path = file("db.jsonl");
  llvm::json::Object future = *makeRecord("a", {1e-3}).toJSON().getAsObject();
  future["version"] = TuningRecord::kFormatVersion + 1;
  std::string futureLine;
  llvm::raw_string_ostream(futureLine) << llvm::json::Value(std::move(future));
  std::string goodLine;
  llvm::raw_string_ostream(goodLine) << makeRecord("a", {2e-3}).toJSON();
  appendRaw(path, goodLine + "\n" + futureLine + "\n\nnot json at all\n[1,2]\n" + goodLine + "\n");

  auto db = openOrFail(path, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->records().size(), 2u);
  EXPECT_EQ(db->skippedLines(), 3u) << "unknown version, garbage and a non-object; not the blank";
}

TEST_F(DatabaseTest, ConcurrentAppendsFromForkedProcessesAllSurviveIntact) {
  std::string path = file("db.jsonl");
  ASSERT_TRUE(openOrFail(path, true));
  constexpr int kChildren = 8, kRecordsEach = 20;
  // Long traces make each line tens of kilobytes, so interleaved writes would be caught.
  llvm::json::Array longTrace;
  for (int step = 0; step < 600; ++step)
    longTrace.push_back(llvm::json::Object{{"primitive", "split"},
                                           {"names", llvm::json::Array{"loop_" + std::to_string(step)}},
                                           {"ints", llvm::json::Array{step, 2 * step}}});
  std::vector<pid_t> children;
  for (int child = 0; child < kChildren; ++child) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      llvm::Expected<std::unique_ptr<Database>> db = Database::open(path, false);
      if (!db) {
        llvm::consumeError(db.takeError());
        _exit(2);
      }
      for (int i = 0; i < kRecordsEach; ++i) {
        TuningRecord record = makeRecord("child" + std::to_string(child), {1e-3 * (i + 1)}, i + 1);
        record.trace = llvm::json::Array(longTrace);
        if (llvm::Error err = (*db)->append(record)) {
          llvm::consumeError(std::move(err));
          _exit(3);
        }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }

  auto db = openOrFail(path, false);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->skippedLines(), 0u);
  ASSERT_EQ(db->records().size(), size_t(kChildren * kRecordsEach));
  std::set<std::pair<std::string, int64_t>> seen;
  for (const TuningRecord &record : db->records()) {
    EXPECT_EQ(record.trace.getAsArray()->size(), 600u);
    seen.insert({record.workloadKey, record.trial});
  }
  EXPECT_EQ(seen.size(), size_t(kChildren * kRecordsEach)) << "every (child, record) exactly once";
  // Each child's records keep their order.
  for (int child = 0; child < kChildren; ++child) {
    auto own = db->recordsOf("child" + std::to_string(child), "x86_64/test");
    ASSERT_EQ(own.size(), size_t(kRecordsEach));
    for (int i = 0; i < kRecordsEach; ++i)
      EXPECT_EQ(own[i]->trial, i + 1);
  }
}

TEST_F(DatabaseTest, BestIsTheMinimumMeanAmongOkRecords) {
  auto db = openOrFail(file("db.jsonl"), true);
  ASSERT_TRUE(db);
  ASSERT_FALSE(bool(db->append(makeRecord("k", {4e-3, 4e-3}, 0))));
  ASSERT_FALSE(bool(db->append(makeRecord("k", {1e-3, 5e-3}, 1)))); // mean 3 ms, min 1 ms
  ASSERT_FALSE(bool(db->append(makeRecord("k", {2.5e-3, 2.5e-3}, 2)))); // mean 2.5 ms: best
  TuningRecord wrong = makeRecord("k", {0.1e-3}, 3);
  wrong.error = "wrong result";
  ASSERT_FALSE(bool(db->append(wrong)));
  ASSERT_FALSE(bool(db->append(makeRecord("k", {}, 4)))); // crashed: no latencies
  ASSERT_FALSE(bool(db->append(makeRecord("k", {0.2e-3}, 5, "aarch64/other"))));
  ASSERT_FALSE(bool(db->append(makeRecord("other", {0.3e-3}, 1))));

  const TuningRecord *best = db->best("k", "x86_64/test");
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->trial, 2);
  EXPECT_EQ(db->best("k", "aarch64/other")->trial, 5);
  EXPECT_EQ(db->best("missing", "x86_64/test"), nullptr);

  auto all = db->recordsOf("k", "x86_64/test");
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i]->trial, int64_t(i));
}

TEST_F(DatabaseTest, OnlyFailedRecordsHaveNoBest) {
  auto db = openOrFail(file("db.jsonl"), true);
  TuningRecord failed = makeRecord("k", {}, 1);
  failed.error = "build error";
  ASSERT_FALSE(bool(db->append(failed)));
  EXPECT_EQ(db->best("k", "x86_64/test"), nullptr);
}

TEST_F(DatabaseTest, NonFiniteLatencyIsRejectedBeforeWriting) {
  std::string path = file("db.jsonl");
  auto db = openOrFail(path, true);
  llvm::Error err = db->append(makeRecord("k", {std::numeric_limits<double>::infinity()}));
  ASSERT_TRUE(bool(err));
  EXPECT_NE(llvm::toString(std::move(err)).find(path), std::string::npos);
  EXPECT_TRUE(readFile(path).empty());
  EXPECT_TRUE(db->records().empty());
}
