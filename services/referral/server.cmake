# (server: filled in by its change)
