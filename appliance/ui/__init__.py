"""The Kivy kiosk: thin screens that show state and forward taps to the counter."""
