"""The five services. No service imports another (checked by import-linter)."""
