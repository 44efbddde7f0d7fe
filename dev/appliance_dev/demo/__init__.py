"""The scripted walks through the real kiosk screens: the demo and the key walk."""
