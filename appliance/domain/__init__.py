"""Pure values and rules: no I/O, no Kivy, no hardware."""
