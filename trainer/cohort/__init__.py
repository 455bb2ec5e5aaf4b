"""The cohort of a programme: enrolment, CSV import, randomisation and the waitlist."""
