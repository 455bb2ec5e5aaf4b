"""Sign-in, sign-out, set-password links and password changes."""
