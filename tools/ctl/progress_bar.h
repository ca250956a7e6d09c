// A Progress drawn on a terminal: one line on stderr, redrawn in place
// ("\r") as work advances, finished with a newline. When stderr is not a
// terminal, or the answer is JSON (a script reads it), nothing is drawn:
// NoProgress. StartProgress in CtlSession picks one.
//
//   TerminalProgressBar bar(stderr, "publishing", 6);
//   bar.Advance(1);   // publishing [#####                         ] 1/6
//   bar.Finish();
#ifndef HOMEWARD_TOOLS_CTL_PROGRESS_BAR_H_
#define HOMEWARD_TOOLS_CTL_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/synchronization/mutex.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

// The line drawn for `done` of `total` (total 0: the count alone), `width`
// characters of bar; without "\r" or newline. Pure, for the tests.
std::string ProgressLine(const std::string& label, uint64_t done,
                         uint64_t total, int width);

class TerminalProgressBar : public Progress {
 public:
  TerminalProgressBar(FILE* terminal, std::string label, uint64_t total);
  ~TerminalProgressBar() override;  // finishes if not finished
  void Advance(uint64_t done) override;
  void Finish() override;

 private:
  void Draw() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FILE* const terminal_;
  const std::string label_;
  const uint64_t total_;
  absl::Mutex mu_;
  uint64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class NoProgress : public Progress {
 public:
  void Advance(uint64_t) override {}
  void Finish() override {}
};

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_PROGRESS_BAR_H_
