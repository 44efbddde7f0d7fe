"""The thermal receipt printer: the port, ESC/POS encoding and links, profiles, discovery."""
