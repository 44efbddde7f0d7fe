"""Ticket QR decoding on camera frames."""
