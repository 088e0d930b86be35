"""Pages of meeting tracking (login required; every read through ``selectors``, every write
through one service per action, one view per action)."""
