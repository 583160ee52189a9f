// Reading and appending the JSON-lines tuning database.
#include "autotuner/database/Database.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace kiln::autotuner {

static Error fileError(StringRef path, StringRef what, int errnum) {
  return createStringError(std::error_code(errnum, std::generic_category()),
                           "tuning database '%s': %s: %s", path.str().c_str(),
                           what.str().c_str(), std::strerror(errnum));
}

Expected<std::unique_ptr<Database>> Database::open(StringRef path, bool create) {
  if (create) {
    // Read-only with O_CREAT: an existing read-only database can still be opened for reading.
    int fd = ::open(path.str().c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return fileError(path, "cannot create", errno);
    ::close(fd);
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read", buffer.getError().value());

  std::unique_ptr<Database> db(new Database(path.str()));
  StringRef rest = (*buffer)->getBuffer();
  while (!rest.empty()) {
    // A last piece without '\n' is a line torn by a kill; it is tried like any other line
    // (it may hold a whole record whose newline was lost) and skipped if it does not parse.
    auto [line, tail] = rest.split('\n');
    rest = tail;
    line = line.trim();
    if (line.empty())
      continue;
    Expected<json::Value> value = json::parse(line);
    if (!value) {
      consumeError(value.takeError());
      ++db->skipped_;
      continue;
    }
    Expected<TuningRecord> record = TuningRecord::fromJSON(*value);
    if (!record) {
      consumeError(record.takeError());
      ++db->skipped_;
      continue;
    }
    db->addRecord(std::move(*record));
  }
  return std::move(db);
}

void Database::addRecord(TuningRecord record) {
  index_[{record.workloadKey, record.target}].push_back(records_.size());
  records_.push_back(std::move(record));
}

// Holds an exclusive flock and the descriptor; releases both on every path.
namespace {
class LockedFile {
public:
  explicit LockedFile(int fd) : fd_(fd) {}
  ~LockedFile() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }
  int fd() const { return fd_; }

private:
  int fd_;
};
} // namespace

static bool allFinite(const TuningRecord &record) {
  for (double latency : record.latenciesSec)
    if (!std::isfinite(latency))
      return false;
  return std::isfinite(record.flops) && std::isfinite(record.weight);
}

Error Database::append(const TuningRecord &record) {
  if (!allFinite(record))
    return createStringError(inconvertibleErrorCode(),
                             "tuning database '%s': record of '%s' holds a non-finite number",
                             path_.c_str(), record.taskName.c_str());
  std::string line;
  raw_string_ostream(line) << record.toJSON(); // compact: one line, newlines escaped
  line += '\n';

  // Opened per append rather than kept: flock belongs to the open file description, which a
  // forked child would otherwise share with its parent.
  int fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return fileError(path_, "cannot open for appending", errno);
  LockedFile file(fd);
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR)
      return fileError(path_, "cannot lock", errno);

  // Under the lock the end of the file is stable: terminate a torn last line first, in the same
  // write as the record, so the record is never glued to the torn bytes.
  struct stat status;
  if (::fstat(fd, &status) != 0)
    return fileError(path_, "cannot stat", errno);
  if (status.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, status.st_size - 1) != 1)
      return fileError(path_, "cannot read the last byte", errno);
    if (last != '\n')
      line.insert(line.begin(), '\n');
  }

  const char *data = line.data();
  size_t left = line.size();
  while (left > 0) { // one write(2) in practice; the loop only guards against EINTR/short writes
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return fileError(path_, "cannot append", errno);
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  if (::fsync(fd) != 0)
    return fileError(path_, "cannot sync", errno);

  addRecord(record);
  return Error::success();
}

const TuningRecord *Database::best(StringRef workloadKey, StringRef target) const {
  auto it = index_.find({workloadKey.str(), target.str()});
  if (it == index_.end())
    return nullptr;
  const TuningRecord *fastest = nullptr;
  for (size_t i : it->second) {
    const TuningRecord &record = records_[i];
    if (record.ok() && (!fastest || record.meanLatency() < fastest->meanLatency()))
      fastest = &record;
  }
  return fastest;
}

std::vector<const TuningRecord *> Database::recordsOf(StringRef workloadKey,
                                                      StringRef target) const {
  std::vector<const TuningRecord *> result;
  auto it = index_.find({workloadKey.str(), target.str()});
  if (it != index_.end())
    for (size_t i : it->second)
      result.push_back(&records_[i]);
  return result;
}

} // namespace kiln::autotuner
