"""API of the e-paper app under /api/v1/epaper/ (see its issue)."""
