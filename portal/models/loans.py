"""Equipment loans (資訊設備借用)."""

__all__: list[str] = []
