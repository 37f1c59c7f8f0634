"""The HTTP API's parts: dependencies (``deps``), problem+json errors (``problems``),
middleware, metrics, paging and ETags (``paging``), and one router per resource
(``routes``); ``ssa.serve.app.create_app`` puts them together."""
