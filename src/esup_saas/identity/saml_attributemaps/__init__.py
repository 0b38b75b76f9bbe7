"""pysaml2 attribute maps (a folder pysaml2 reads file by file; see its modules)."""
