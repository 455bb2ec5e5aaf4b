"""Administration: accounts and the outbox."""
