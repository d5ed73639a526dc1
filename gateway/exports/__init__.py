"""Exports of the gateway's views as spreadsheets (.xlsx) and PDF, with Chinese headers and labels (kernel.labels)."""
