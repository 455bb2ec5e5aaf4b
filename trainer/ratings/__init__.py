"""Participants rate modules; leads set up rating waves and follow responses."""
