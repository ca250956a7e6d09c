# (integration: filled in by its change)
