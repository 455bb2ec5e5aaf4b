"""What participants do between days: assignments, activity logs, goals, peer coaching, progress."""
