"""Training days, sessions, attendance, apologies, agendas and calendar feeds."""
