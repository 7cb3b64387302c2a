"""Models of the talent part. Filled by its own issue; see docs/development/adding-a-model.md."""
