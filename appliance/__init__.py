"""Counter-acceptance appliance (窗口受理一体机) of the Zhongshan branch online service hall."""

__version__ = "0.1.0"
