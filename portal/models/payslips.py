"""Payslips (薪資查詢)."""

__all__: list[str] = []
