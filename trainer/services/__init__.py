"""The rules of the application, one module per area; views, jobs and the CLI call these."""
