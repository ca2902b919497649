"""One module per CLI command; each only parses options, calls the API and renders."""
