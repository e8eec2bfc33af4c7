"""File formats: the sheet JSON, Excel, PDF, email drafts, consolidation."""
