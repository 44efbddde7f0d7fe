"""Background sync to the branch server: the client, the worker, the API contract."""
