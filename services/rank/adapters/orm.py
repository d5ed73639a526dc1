"""Tables of the rank service (its own MetaData; kernel tables through the kernel factories)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table

from kernel.db import UtcDateTime, new_metadata
from kernel.inbox import dead_letter_table, inbox_table, watermark_table
from kernel.outbox import outbox_table
from kernel.uow import KernelTables

metadata = new_metadata()

org_unit = Table(
    "org_unit",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("parent_id", String(64), ForeignKey("org_unit.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("agency_level", String(32), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_org_unit_path", "path"),
    Index("ix_org_unit_parent_id", "parent_id"),
)

cadre = Table(
    "cadre",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("gender", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("party_member", Boolean, nullable=False),
    Column("education", String(32), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_cadre_org_unit_id", "org_unit_id"),
    Index("ix_cadre_name_birth_date", "name", "birth_date"),
)

kernel_tables = KernelTables(
    outbox=outbox_table(metadata),
    inbox=inbox_table(metadata),
    dead_letter=dead_letter_table(metadata),
    watermark=watermark_table(metadata),
)
