"""Programmes and their running: cohort, randomisation, days, sessions, attendance, calendars."""
