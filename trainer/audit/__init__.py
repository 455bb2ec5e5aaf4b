"""The audit trail: admins read every event, leads those of their programmes."""
