"""The web service: an upload page and a versioned HTTP API, thin over `analyzer`.

`service.main.create_app()` builds the FastAPI application; `service.server.serve()` runs
it with uvicorn, as `clauses serve` does.
"""
