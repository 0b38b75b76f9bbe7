"""Date and time formats per language, before Django's own (settings ``FORMAT_MODULE_PATH``)."""
