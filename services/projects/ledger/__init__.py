"""The cross-programme limits ledger (限项台账, PRJ-1, NSF-5)."""
