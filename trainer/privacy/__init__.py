"""Consent, the participant information, "Your data and consent", and erasure."""
