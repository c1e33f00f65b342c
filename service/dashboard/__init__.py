"""The dashboard: static pages served by Whetstone that call the public /v1 API from the browser."""
