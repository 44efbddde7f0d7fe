"""Signed A/B updates: the bundle, the boot slots under boot counting, install, status."""
