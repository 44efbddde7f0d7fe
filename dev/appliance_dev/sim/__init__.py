"""Simulated hardware for the demo and the tests."""
