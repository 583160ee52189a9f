// Shared helpers of the database tests: a scratch folder, file I/O, record factories.
#ifndef KILN_TEST_UNIT_AUTOTUNER_DATABASE_TESTHELPERS_H
#define KILN_TEST_UNIT_AUTOTUNER_DATABASE_TESTHELPERS_H

#include "autotuner/database/Record.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace kiln::autotuner::test {

// A fresh folder per test, removed with everything in it afterwards.
class ScratchDir : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-db-test", dir_));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir_); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> path(dir_);
    llvm::sys::path::append(path, name);
    return std::string(path);
  }
  llvm::SmallString<128> dir_;
};

inline std::string readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

inline void appendRaw(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

// A record of task `key` with the given latencies (seconds); source "search" unless trial 0.
inline TuningRecord makeRecord(std::string key, std::vector<double> latencies,
                               int64_t trial = 1, std::string target = "x86_64/test") {
  TuningRecord record;
  record.workloadKey = std::move(key);
  record.target = std::move(target);
  record.taskName = "task_" + record.workloadKey;
  record.source = trial == 0 ? "default" : "search";
  record.trace = llvm::json::Array{
      llvm::json::Object{{"primitive", "split"}, {"names", llvm::json::Array{"i"}},
                         {"ints", llvm::json::Array{4, 16}}}};
  record.latenciesSec = std::move(latencies);
  record.flops = 2e9;
  record.trial = trial;
  record.time = currentTimeUTC();
  return record;
}

} // namespace kiln::autotuner::test

#endif
