"""Bulk import of an organization department's register from a spreadsheet (.xlsx) or .csv (`youwei import`).

The pieces are pure where they can be: `dates` reads the date forms Chinese spreadsheets use, `sheets` maps
Chinese (or English) column headers and labels to the API's fields and codes, `plan` turns rows into a checked plan
with a row-level report, and `apply` carries a plan out through the gateway's API with idempotency keys derived
from the rows, so the same file twice changes nothing and a run that died can simply be run again.
"""
