#include "tools/ctl/progress_bar.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace homeward::ctl {
namespace {
constexpr int kBarWidth = 30;
}  // namespace

std::string ProgressLine(const std::string& label, uint64_t done,
                         uint64_t total, int width) {
  if (total == 0) return absl::StrCat(label, " ", done);
  done = std::min(done, total);
  const int filled = static_cast<int>(done * width / total);
  return absl::StrCat(label, " [", std::string(filled, '#'),
                      std::string(width - filled, ' '), "] ", done, "/", total);
}

TerminalProgressBar::TerminalProgressBar(FILE* terminal, std::string label,
                                         uint64_t total)
    : terminal_(terminal), label_(std::move(label)), total_(total) {
  absl::MutexLock lock(&mu_);
  Draw();
}

TerminalProgressBar::~TerminalProgressBar() { Finish(); }

void TerminalProgressBar::Advance(uint64_t done) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  done_ += done;
  Draw();
}

void TerminalProgressBar::Finish() {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  finished_ = true;
  std::fputc('\n', terminal_);
  std::fflush(terminal_);
}

void TerminalProgressBar::Draw() {
  // "\033[K" clears what a longer earlier line left behind.
  std::fprintf(terminal_, "\r%s\033[K",
               ProgressLine(label_, done_, total_, kBarWidth).c_str());
  std::fflush(terminal_);
}

}  // namespace homeward::ctl
