"""Programme pages: the list, and each programme's overview."""
