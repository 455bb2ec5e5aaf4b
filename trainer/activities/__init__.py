"""Self-directed activities, goals and peer coaching."""
