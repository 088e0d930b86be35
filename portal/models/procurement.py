"""Procurement tender requests (採購招標申請)."""

__all__: list[str] = []
