"""Pages of the employee portal, one module per service (``portal.urls`` routes to each)."""
