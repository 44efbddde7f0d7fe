"""Errors that stop start-up or an action with one line a person can act on."""


class ApplianceError(Exception):
    """Base class: the message says what to fix, in English (logs and CLI)."""


class ConfigError(ApplianceError):
    """The configuration file is missing, malformed or names something that is not there."""


class StartupError(ApplianceError):
    """Something the appliance needs at start (font, SoftHSM2, data directory) is missing."""
