"""The system: outgoing mail, the outbox, backups, health, lists, one-time submissions, settings, homes."""
