"""What a replication records: month-end stocks and flows, and optional logs."""
