# (referrals: filled in by its change)
