// `homewardctl backup`: backups of the service replicas' stores
// (docs/OPERATIONS.md).
//
//   homewardctl backup create [--service S] [--verify]
//       every replica of S (default: every service in the routes) takes a
//       backup now, over BackupService on its internal listener;
//   homewardctl backup list [--service S]
//       the backups each replica holds, oldest first;
//   homewardctl backup verify --replica ADDR --id N
//       re-reads every file of backup N of replica ADDR (size and CRC32C);
//   homewardctl backup restore --backup_dir DIR --data_dir DIR [--id N]
//       [--encryption_key_file F]
//       offline and local: restores backup N (default the newest) of the
//       backup directory into the EMPTY service data directory DIR (the
//       store goes to DIR/rocksdb), with the key it was written under, and
//       raises the restored outbox's sequence floor.
//
//   std::vector<std::string> args = {"create", "--service", "assessment"};
//   RETURN_IF_ERROR(RunBackupCommand(ctl, args));
#ifndef HOMEWARD_TOOLS_CTL_BACKUP_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_BACKUP_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

// `args` are the words after `backup` (the subcommand first). Prints its
// answer with ctl.Print; INVALID_ARGUMENT naming the flag for a bad or
// missing one; the first replica's error (after trying every replica) when
// a replica failed.
absl::Status RunBackupCommand(CtlContext& ctl,
                              const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_BACKUP_COMMAND_H_
