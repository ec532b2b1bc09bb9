"""Services behind narrow interfaces: jobs, language detection, search backends."""
