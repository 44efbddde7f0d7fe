"""The `appliance` command line: one front-end module per command group."""
