"""The USB bus: which devices are plugged in."""
