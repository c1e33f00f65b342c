"""The Responses API (`/v1/responses`): text and function tools on the completions engine."""
