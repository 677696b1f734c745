"""Otklik: citizens' appeals handled end to end."""

__version__ = "0.1.0"
