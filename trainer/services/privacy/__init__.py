"""Privacy: disclosure control, consent, withdrawal, erasure, retention and the audit trail."""
