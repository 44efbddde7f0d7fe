"""Hardware ports: one small Protocol per device, a real and a simulated backend each."""
