// Scheduling from tuning records: the fastest record of the target replays on every kernel of
// its workload, a record that does not replay falls back to the default schedule with a
// warning naming the kernel, and records of another target are not used.
#include "autotuner/database/Database.h"
#include "autotuner/task/ApplyRecords.h"
#include "autotuner/task/Task.h"
#include "passes/schedule/DefaultSchedule.h"
#include "test/unit/autotuner/task/LoweredModel.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::autotuner;

namespace {

constexpr const char *kTarget = "x86_64-test/cpu";

TuningRecord splitRecord(const std::string &key, const std::string &loop, double latency,
                         const std::string &target = kTarget) {
  TuningRecord record;
  record.workloadKey = key;
  record.target = target;
  record.taskName = "t";
  record.source = "search";
  record.trace = llvm::json::Array{llvm::json::Object{
      {"primitive", "split"}, {"names", llvm::json::Array{loop}}, {"ints", llvm::json::Array{-1, 2}}}};
  record.latenciesSec = {latency, latency};
  record.trial = 1;
  record.time = currentTimeUTC();
  return record;
}

std::string print(func::FuncOp f) {
  std::string text;
  llvm::raw_string_ostream os(text);
  f.print(os);
  return text;
}

class ApplyRecordsTest : public test::LoweredModel {
protected:
  void SetUp() override {
    test::LoweredModel::SetUp();
    ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("kiln-apply-records", "jsonl", dbPath));
  }
  void TearDown() override { llvm::sys::fs::remove(dbPath); }

  // The workload key of `task`'s kernel with the default schedule, computed on a copy.
  std::string defaultScheduledKey(llvm::StringRef task) {
    OwningOpRef<ModuleOp> scratch = ModuleOp::create(UnknownLoc::get(&context));
    OpBuilder b(&context);
    b.setInsertionPointToEnd(scratch->getBody());
    auto copy = llvm::cast<func::FuncOp>(b.clone(*kernel(task).getOperation()));
    schedule::Schedule s(copy);
    EXPECT_TRUE(succeeded(schedule::applyDefaultSchedule(copy, s)));
    return workloadKey(copy);
  }

  llvm::SmallString<128> dbPath;
};

TEST_F(ApplyRecordsTest, ReplaysTheBestRecordAndFallsBackWithAWarning) {
  std::string keyA = workloadKey(kernel("mm_relu_a"));
  std::string keyWide = workloadKey(kernel("mm_relu_wide"));
  std::string keyAlone = workloadKey(kernel("mm_alone"));
  std::string expectedAlone = defaultScheduledKey("mm_alone");
  std::string expectedWide = defaultScheduledKey("mm_relu_wide");
  ASSERT_NE(expectedAlone, keyAlone) << "the default schedule should change the kernel";
  {
    auto db = Database::open(dbPath, /*create=*/true);
    ASSERT_TRUE(bool(db)) << llvm::toString(db.takeError());
    // The slower record splits j, the faster i: only the faster one may be replayed.
    ASSERT_FALSE(bool((*db)->append(splitRecord(keyA, "matmul.j", 2e-6))));
    ASSERT_FALSE(bool((*db)->append(splitRecord(keyA, "matmul.i", 1e-6))));
    // A trace naming a loop the kernel does not have.
    ASSERT_FALSE(bool((*db)->append(splitRecord(keyWide, "no_such_loop", 1e-6))));
    // A record for another target.
    ASSERT_FALSE(bool((*db)->append(splitRecord(keyAlone, "matmul.i", 1e-6, "other/cpu"))));
  }
  auto db = Database::open(dbPath, /*create=*/false);
  ASSERT_TRUE(bool(db)) << llvm::toString(db.takeError());
  ASSERT_EQ((*db)->records().size(), 4u);

  ApplyStats stats;
  ASSERT_TRUE(succeeded(scheduleFromRecords(*module, **db, kTarget, stats)));
  EXPECT_EQ(stats.tuned, 2);    // mm_relu_a and mm_relu_b share the record
  EXPECT_EQ(stats.fallback, 2); // mm_alone (other target) and mm_relu_wide (does not replay)
  ASSERT_EQ(stats.warnings.size(), 1u);
  EXPECT_NE(stats.warnings[0].find("mm_relu_wide_kernel"), std::string::npos) << stats.warnings[0];
  EXPECT_NE(stats.warnings[0].find("does not replay"), std::string::npos) << stats.warnings[0];
  EXPECT_NE(stats.warnings[0].find("no_such_loop"), std::string::npos) << stats.warnings[0];

  for (llvm::StringRef task : {"mm_relu_a", "mm_relu_b"}) {
    func::FuncOp replayed = kernel(task);
    ASSERT_TRUE(replayed) << task.str();
    std::string text = print(replayed);
    EXPECT_NE(text.find("\"matmul.i.1\""), std::string::npos) << text;
    EXPECT_EQ(text.find("\"matmul.j.1\""), std::string::npos) << text;
  }
  ASSERT_TRUE(kernel("mm_alone"));
  ASSERT_TRUE(kernel("mm_relu_wide"));
  EXPECT_EQ(workloadKey(kernel("mm_alone")), expectedAlone);
  EXPECT_EQ(workloadKey(kernel("mm_relu_wide")), expectedWide);
  // Every kernel is still in the module exactly once, under its own name.
  EXPECT_EQ(llvm::count_if(module->getOps<func::FuncOp>(),
                           [](func::FuncOp f) { return f->hasAttr("kiln.kernel"); }),
            4);
}

TEST_F(ApplyRecordsTest, AnEmptyDatabaseGivesTheDefaultScheduleEverywhere) {
  std::string expected = defaultScheduledKey("mm_relu_a");
  auto db = Database::open(dbPath, /*create=*/false);
  ASSERT_TRUE(bool(db)) << llvm::toString(db.takeError());
  ApplyStats stats;
  ASSERT_TRUE(succeeded(scheduleFromRecords(*module, **db, kTarget, stats)));
  EXPECT_EQ(stats.tuned, 0);
  EXPECT_EQ(stats.fallback, 4);
  EXPECT_TRUE(stats.warnings.empty());
  EXPECT_EQ(workloadKey(kernel("mm_relu_a")), expected);
}

} // namespace
