"""The document camera: the port, V4L2 and picamera2 backends, and the replayed photos."""
