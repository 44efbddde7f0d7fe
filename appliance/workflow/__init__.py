"""The operator session and the acceptance flow as explicit state machines (no Kivy)."""
