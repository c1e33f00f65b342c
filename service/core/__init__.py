"""Cross-cutting pieces: settings, errors, auth, ids, middleware, handlers, OpenAPI, the db."""
