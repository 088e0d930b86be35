"""Consumables and supplies (電腦耗材及物品領用)."""

__all__: list[str] = []
