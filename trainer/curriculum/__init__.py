"""The module library: the curriculum as participants and trainers read it."""
