"""Stages and norms live here as data in a later step; the deadline maths is in deadlines.py."""
