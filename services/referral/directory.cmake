# (directory: filled in by its change)
