"""qbtui: inventory documents to QuickBooks Online, exactly once."""

__version__ = "0.1.0"
