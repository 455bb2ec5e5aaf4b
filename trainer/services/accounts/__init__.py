"""Accounts and access: who may sign in, how, and what they may reach."""
