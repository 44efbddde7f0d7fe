"""The development branch server: the API contract on loopback, with fault switches."""
