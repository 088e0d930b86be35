"""Writes of the e-paper app (see the modules)."""
