"""Accounts: organisations, users, API keys, tokens."""
