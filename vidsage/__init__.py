"""vidsage: a local-first assistant that answers questions about your own videos."""

__version__ = "0.1.0"
