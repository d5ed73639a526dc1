"""Tables of the petitions service (its own MetaData; kernel and directory tables through kernel factories)."""

from __future__ import annotations

from kernel.db import new_metadata
from kernel.directory import directory_tables
from kernel.inbox import dead_letter_table, inbox_table, watermark_table
from kernel.outbox import outbox_table
from kernel.uow import KernelTables

metadata = new_metadata()

kernel_tables = KernelTables(
    outbox=outbox_table(metadata),
    inbox=inbox_table(metadata),
    dead_letter=dead_letter_table(metadata),
    watermark=watermark_table(metadata),
)
directory = directory_tables(metadata)
