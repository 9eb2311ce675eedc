"""HTTP routes: the versioned API (analyses, batches), health, and the upload page."""
