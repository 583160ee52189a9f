// TuningRecord: JSON round trip, version and field checks, ok()/meanLatency().
#include "TestHelpers.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace kiln::autotuner;
using namespace kiln::autotuner::test;

TEST(TuningRecord, RoundTripThroughText) {
  TuningRecord record = makeRecord("00ff12ab", {1.5e-3, 1.7e-3, 1.6e-3}, 7,
                                   "x86_64-unknown-linux-gnu/znver3/threads=2");
  record.taskName = "fused_conv_add_relu_3";
  record.error = "";
  record.weight = 3;
  record.flops = 123456789.0;
  std::string text;
  llvm::raw_string_ostream(text) << record.toJSON();
  EXPECT_EQ(text.find('\n'), std::string::npos) << "a record must fit on one line";

  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  llvm::Expected<TuningRecord> back = TuningRecord::fromJSON(*parsed);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->workloadKey, record.workloadKey);
  EXPECT_EQ(back->target, record.target);
  EXPECT_EQ(back->taskName, record.taskName);
  EXPECT_EQ(back->source, "search");
  EXPECT_EQ(back->trace, record.trace);
  EXPECT_EQ(back->latenciesSec, record.latenciesSec);
  EXPECT_EQ(back->error, "");
  EXPECT_EQ(back->flops, record.flops);
  EXPECT_EQ(back->weight, 3);
  EXPECT_EQ(back->trial, 7);
  EXPECT_EQ(back->time, record.time);
  EXPECT_NEAR(back->meanLatency(), 1.6e-3, 1e-15);
  EXPECT_TRUE(back->ok());
}

TEST(TuningRecord, FailedRecordRoundTripsAndIsNotOk) {
  TuningRecord record = makeRecord("k", {});
  record.error = "timeout after 10 s\nwith \"quotes\"";
  std::string text;
  llvm::raw_string_ostream(text) << record.toJSON();
  llvm::Expected<TuningRecord> back = TuningRecord::fromJSON(*llvm::json::parse(text));
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->error, record.error);
  EXPECT_FALSE(back->ok());
  EXPECT_TRUE(std::isinf(back->meanLatency()));
  // Latencies but an error: still failed (e.g. a wrong result).
  record.latenciesSec = {1e-3};
  EXPECT_FALSE(record.ok());
}

TEST(TuningRecord, UnknownVersionIsRejected) {
  llvm::json::Object object = *makeRecord("k", {1e-3}).toJSON().getAsObject();
  object["version"] = TuningRecord::kFormatVersion + 1;
  llvm::Expected<TuningRecord> record = TuningRecord::fromJSON(llvm::json::Value(std::move(object)));
  ASSERT_FALSE(bool(record));
  EXPECT_NE(llvm::toString(record.takeError()).find("version"), std::string::npos);
}

TEST(TuningRecord, MissingOrMistypedFieldIsRejected) {
  llvm::json::Object object = *makeRecord("k", {1e-3}).toJSON().getAsObject();
  object.erase("workload_key");
  llvm::Expected<TuningRecord> missing = TuningRecord::fromJSON(llvm::json::Value(llvm::json::Object(object)));
  ASSERT_FALSE(bool(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("workload_key"), std::string::npos);

  object["workload_key"] = "k";
  object["latencies_sec"] = llvm::json::Array{"fast"};
  llvm::Expected<TuningRecord> mistyped = TuningRecord::fromJSON(llvm::json::Value(llvm::json::Object(object)));
  ASSERT_FALSE(bool(mistyped));
  EXPECT_NE(llvm::toString(mistyped.takeError()).find("latencies_sec"), std::string::npos);
}
