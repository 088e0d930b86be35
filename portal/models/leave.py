"""Leave (差假): types, balances, requests."""

__all__: list[str] = []
