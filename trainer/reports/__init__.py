"""Leads read module ratings: dashboard, printable report, exports, comparison."""
