"""IT repair tickets (電腦報修)."""

__all__: list[str] = []
