"""The CMS's HTTP routes, one module per resource; they parse, call the service, shape the
answer and announce changes after the commit, nothing more."""
