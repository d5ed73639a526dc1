"""Read side of the tolerance service: scoped queries on the reader connection (CQRS-lite, no aggregates)."""
